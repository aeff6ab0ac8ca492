// GET /chat: the chat pane on its own page.
import { mountAll } from "./chat.js";

mountAll();
