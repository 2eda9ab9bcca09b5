// Renovate's own in-place update of a package file (what a Renovate branch commits), offline:
// each upgrade goes through Renovate's doAutoReplace, which replaces an occurrence of the
// current value, extracts the file again with the same manager and keeps the change only if
// that dependency now has the new value. Reads {"localDir", "jobs": [{"packageFile", "content",
// "config", "upgrades"}]} from REQUEST; prints, per job, one new content (or error) per upgrade.
// Usage: node replace.mjs RENOVATE_DIST REQUEST
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = process.argv[2];
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { GlobalConfig } = await load("config/global.js");
const { doAutoReplace } = await load("workers/repository/update/branch/auto-replace.js");

const request = JSON.parse(readFileSync(process.argv[3], "utf8"));
GlobalConfig.set({ localDir: request.localDir });
const results = [];
for (const job of request.jobs) {
  const replaced = [];
  for (const upgrade of job.upgrades) {
    const full = { ...job.config, ...upgrade, manager: "jsonata", packageFile: job.packageFile };
    try {
      replaced.push(await doAutoReplace(full, job.content, false));
    } catch (err) {
      replaced.push({ error: String(err) });
    }
  }
  results.push(replaced);
}
process.stdout.write(JSON.stringify(results));
