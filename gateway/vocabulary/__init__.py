"""The shared vocabulary: plain data every layer reads and none owns (tools, server status, action shapes)."""
