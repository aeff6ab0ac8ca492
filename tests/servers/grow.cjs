// A handshake-era (2025) MCP server on the TypeScript SDK: `grow {name}` adds a tool, and the
// SDK announces it with notifications/tools/list_changed. Needs NODE_PATH pointing at the npm
// test partners (.cache/partners/node_modules), where the SDK comes with server-everything.
const { McpServer } = require("@modelcontextprotocol/sdk/server/mcp.js");
const { StdioServerTransport } = require("@modelcontextprotocol/sdk/server/stdio.js");
const { z } = require("zod");

const server = new McpServer({ name: "grow", version: "1.0.0" });

server.registerTool(
  "grow",
  { description: "Add a tool called `name`.", inputSchema: { name: z.string() } },
  async ({ name }) => {
    server.registerTool(name, { description: `Added at run time: ${name}` }, async () => ({
      content: [{ type: "text", text: `I am ${name}` }],
    }));
    return { content: [{ type: "text", text: `added ${name}` }] };
  },
);

server.connect(new StdioServerTransport());
