// A stdio "server" that dies at start-up as a misconfigured Node server does: it says what it
// is doing, then throws (or, with CRASH=module, requires a module that is not there). Node then
// prints the source line, the error, its stack and, last, its own version banner.
console.error("crash: starting up");
if (process.env.CRASH === "module") {
  require("./no-such-module-for-crash");
}
throw new Error("CRASH_DB is not set: cannot open the database");
