// Drives Debian's Chromium through the `hygeia serve` dashboard with a real server and a real
// agent: first sign-in with a new password and an authenticator (TOTP) set up from the QR page,
// enrolment of this computer, the overview, the computer's page, revoking the enroll secret, the
// device inventory upload with its findings, the attestation report and its PDF, the phone
// check page on an emulated iPhone and Android phone, a phishing simulation sent through an SMTP
// server on loopback (its link opened, a password typed and never kept, the lesson passed), and the
// insurer's view with its CSV. Every request the pages
// make must go to the server itself. Screenshots of each page are kept in $SCREENSHOTS.
//
// Run by crates/hygeia/tests/browser.rs (cargo test); by hand:
//   HYGEIA_BIN=target/debug/hygeia SCREENSHOTS=target/browser-screenshots node dashboard.mjs

import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

const bin = process.env.HYGEIA_BIN;
const shots = process.env.SCREENSHOTS || "target/browser-screenshots";
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
assert.ok(bin, "set HYGEIA_BIN to the hygeia binary");
mkdirSync(shots, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "hygeia-browser-"));
const database = join(work, "hygeia.db");

function step(text) {
  console.log(`-- ${text}`);
}

function hygeia(args, extraEnv = {}) {
  return execFileSync(bin, args, {
    encoding: "utf8",
    env: { ...process.env, ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function oneTimePassword(output) {
  const match = output.match(/^\s{4}(\S{20})$/m);
  assert.ok(match, `no one-time password in: ${output}`);
  return match[1];
}

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), as an authenticator app computes it.
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, `not base32: ${c}`);
    bits += v.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

// Everything the server wrote to its log, to show that typed values never reach it.
let serverLog = "";

// An SMTP server on loopback (Debian's python3-aiosmtpd) that keeps every message in a Maildir.
async function startSmtpSink() {
  const port = await new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const maildir = join(work, "smtp");
  const sink = spawn("/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  for (let i = 0; i < 100; i += 1) {
    const open = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.on("error", () => resolve(false));
    });
    if (open) return { sink, port, maildir };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("aiosmtpd did not start");
}

async function waitForMessage(maildir, marker) {
  for (let i = 0; i < 200; i += 1) {
    let names = [];
    try { names = readdirSync(join(maildir, "new")); } catch { names = []; }
    for (const name of names) {
      const text = readFileSync(join(maildir, "new", name), "utf8");
      if (text.includes(marker)) return text;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no message with ${marker} arrived`);
}

async function startServer() {
  const server = spawn(bin, ["serve", "--database", database, "--listen", "127.0.0.1:0", "--simulations-every", "1"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  server.stderr.on("data", (chunk) => { serverLog += chunk; });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${log}`)), 20_000);
    server.stderr.on("data", (chunk) => {
      log += chunk;
      const match = log.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`server exited with ${code}: ${log}`)));
  });
  return { server, base };
}

const insurerSetup = hygeia([
  "serve", "init", "--database", database, "--insurer", "Northside Mutual",
  "--admin-email", "analyst@mutual.example", "--admin-name", "Ana Analyst",
]);
const practiceSetup = hygeia([
  "serve", "add-practice", "--database", database, "--insurer", "Northside Mutual",
  "--practice", "Riverside Family Practice", "--admin-email", "admin@riverside.example",
  "--admin-name", "Pat Admin",
]);
// The server's advisory store (beside the database), filled from the project's fixture
// advisories as an operator fills it from a store made elsewhere.
const deviceFixtures = fileURLToPath(new URL("../../../hygeia-devices/tests/fixtures", import.meta.url));
hygeia(["devices", "update", "--from", deviceFixtures, "--store", `${database}.devices`]);
const { server, base } = await startServer();
step(`server at ${base}`);

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
  ],
});

const requests = [];
const problems = [];
let shotNumber = 0;

async function newPage(options = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  const page = await context.newPage();
  page.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    // Refused requests are checked below with their address; the console only repeats them.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on("response", (response) => {
    const request = response.request();
    const what = `${response.status()} ${request.method()} ${response.url().replace(base, "")}`;
    // The only refusals on purpose: the wrong authenticator code at each first sign-in.
    if (response.status() >= 400 && what !== "401 POST /account/authenticator") problems.push(what);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", (dialog) => dialog.accept());
  return page;
}

async function shot(page, name) {
  shotNumber += 1;
  const file = join(shots, `${String(shotNumber).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

// Every page: a main landmark, a first-level heading, and no status shown by colour alone
// (each badge has a word).
async function checkPage(page) {
  assert.equal(await page.locator("main").count(), 1, `${page.url()}: one <main>`);
  assert.ok((await page.locator("h1").count()) >= 1, `${page.url()}: an <h1>`);
  const emptyBadges = await page.locator(".badge").evaluateAll(
    (badges) => badges.filter((b) => b.textContent.trim() === "").length,
  );
  assert.equal(emptyBadges, 0, `${page.url()}: a status badge without a word`);
}

async function firstSignIn(page, email, oneTime, newPassword) {
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login$/, "a stranger is sent to the sign-in page");
  await shot(page, "sign-in");
  await page.fill("#email", email);
  await page.fill("#password", oneTime);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/account\/password$/);
  await checkPage(page);
  await shot(page, "new-password");
  await page.fill("#current", oneTime);
  await page.fill("#new", newPassword);
  await page.fill("#repeat", newPassword);
  await page.click("main button[type=submit]");
  assert.match(page.url(), /\/account\/authenticator$/);
  assert.equal(await page.locator(".qr svg").count(), 1, "the QR code is shown");
  await shot(page, "authenticator-qr");
  const secret = await page.getAttribute("#totp-secret", "data-secret");
  await page.fill("#code", "000000");
  await page.click("main button[type=submit]");
  assert.ok(await page.locator("[role=alert]").isVisible(), "a wrong code is refused with a message");
  await page.fill("#code", totp(secret));
  await page.click("main button[type=submit]");
  return secret;
}

try {
  // ---- the practice administrator ----
  step("practice administrator: first sign-in with a new password and an authenticator");
  const admin = await newPage();
  const adminSecret = await firstSignIn(admin, "admin@riverside.example", oneTimePassword(practiceSetup), "quiet river stones at noon");
  assert.match(admin.url(), /\/practices\/\d+$/, "the administrator lands on the overview");
  const practiceUrl = admin.url();
  await checkPage(admin);
  assert.ok(await admin.getByText("No computers enrolled yet").isVisible(), "fresh install: empty state");
  await shot(admin, "overview-empty");

  step("keyboard: the first Tab reaches the skip link, and it leads to the content");
  await admin.keyboard.press("Tab");
  assert.equal(await admin.evaluate(() => document.activeElement.textContent.trim()), "Skip to content");

  step("enrol computers: create a secret and copy the agent command");
  await admin.click("nav >> text=Enrol computers");
  await checkPage(admin);
  await shot(admin, "enrolment-empty");
  await admin.fill("input[name=label]", "front desk laptops");
  await admin.click("text=Create secret");
  const secret = (await admin.textContent("#secret")).trim();
  assert.match(secret, /^hye_/);
  const command = await admin.textContent("#cmd-unix");
  assert.ok(command.includes(`--server ${base}`) && command.includes(secret), command);
  await shot(admin, "enrolment-secret");

  step("a real agent enrols this computer and sends its first report");
  const agentState = join(work, "agent");
  hygeia(["agent", "enroll", "--server", base, "--secret", secret, "--state-dir", agentState]);
  hygeia(["agent", "run", "--once", "--state-dir", agentState]);
  const hostname = execFileSync("hostname", { encoding: "utf8" }).trim();

  step("the overview shows the computer");
  await admin.goto(practiceUrl);
  await checkPage(admin);
  assert.ok(await admin.locator("#computers").isVisible());
  const hostLink = admin.locator(`#computers ~ div a:text-is("${hostname}")`);
  assert.equal(await hostLink.count(), 1, `the computer ${hostname} is listed`);
  await shot(admin, "overview");

  step("the computer's page: findings with fixes, attestations, timeline");
  await hostLink.click();
  assert.match(admin.url(), /\/hosts\/\d+$/);
  const hostUrl = admin.url();
  await checkPage(admin);
  assert.ok(await admin.getByRole("heading", { name: "What to fix" }).isVisible());
  assert.ok(await admin.getByRole("heading", { name: "Timeline of changes" }).isVisible());
  assert.ok((await admin.locator("ol.timeline li").count()) > 0, "the first report is on the timeline");
  await shot(admin, "computer");

  step("revoke the enroll secret");
  await admin.click("nav >> text=Enrol computers");
  await admin.click("button:text-is('Revoke')");
  assert.ok(await admin.locator("td .badge:text-is('Revoked')").isVisible(), "the secret shows as revoked");
  await shot(admin, "enrolment-revoked");
  const refused = spawn(bin, ["agent", "enroll", "--server", base, "--secret", secret, "--state-dir", join(work, "agent2")]);
  const refusedCode = await new Promise((resolve) => refused.on("exit", resolve));
  assert.notEqual(refusedCode, 0, "a revoked secret enrols nothing");

  step("users and audit log");
  await admin.click("nav >> text=Users");
  await checkPage(admin);
  await admin.fill("input[name=email]", "dr.lee@riverside.example");
  await admin.fill("input[name=display_name]", "Dr Lee");
  await admin.click("text=Add user");
  assert.match(await admin.textContent("#otp"), /\S{20}/, "the new user's one-time password is shown once");
  await shot(admin, "users");
  await admin.click("nav >> text=Audit log");
  await checkPage(admin);
  assert.ok(await admin.locator("td code:text-is('enroll_secret.revoke')").count() >= 1, "the revocation is in the audit log");
  await shot(admin, "audit-log");

  step("devices: upload the inventory and see what to patch first");
  await admin.click("nav >> text=Devices");
  await checkPage(admin);
  assert.ok(await admin.getByText("No inventory yet").isVisible(), "no inventory before the upload");
  const inventoryPath = join(work, "devices.csv");
  writeFileSync(inventoryPath, [
    "name,kind,vendor,model,version,os,os_version,segment,life_critical,stores_phi,patch_owner",
    "Pump in room 2,infusion-pump,Acme,Acme Pump 300,1.52,,,flat,yes,no,",
    "Reading room viewer,workstation,Acme,Acme Viewer,1.0,Windows,7,clinical-vlan,no,yes,Pat",
  ].join("\n") + "\n");
  await admin.setInputFiles("input[type=file]", inventoryPath);
  await admin.click("text=Upload and check");
  await checkPage(admin);
  assert.ok(await admin.locator("h3:has-text('Pump in room 2')").isVisible(), "the affected pump has its card");
  assert.ok(await admin.locator("a:text-is('ICSMA-90-001-01')").count() >= 1, "the advisory is named");
  assert.ok(await admin.getByRole("heading", { name: "Device safeguards (HICP 9)" }).isVisible());
  await shot(admin, "devices");

  step("the attestation report, and its PDF");
  await admin.click("nav >> text=Attestation report");
  await checkPage(admin);
  for (const heading of ["1. Scope and date", "2. Asset inventory", "2b. Asset inventory: medical and IT devices", "3. Safeguards by HICP practice",
    "4. Attested safeguards", "5. Open risks", "6. Remediation plan", "7. Sign-off"]) {
    assert.ok(await admin.locator(`h2:has-text("${heading}")`).isVisible(), heading);
  }
  assert.ok(await admin.locator(`td:text-is("${hostname}")`).count() >= 1, "the computer is in the asset inventory");
  assert.ok(await admin.locator("h3:text-is('HICP 9: Network Connected Medical Devices')").isVisible(), "HICP 9 is measured");
  assert.ok(await admin.getByText("Measured on the device inventory").first().isVisible());
  await shot(admin, "attestation-report");
  const [download] = await Promise.all([
    admin.waitForEvent("download"),
    admin.click("text=Download PDF"),
  ]);
  const pdfPath = join(shots, "attestation-report.pdf");
  await download.saveAs(pdfPath);
  const pdf = readFileSync(pdfPath);
  assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
  assert.ok(pdf.subarray(-8).toString().includes("%%EOF"), "the PDF is complete");
  assert.ok(pdf.length > 2000, `the PDF has content (${pdf.length} bytes)`);
  await admin.emulateMedia({ media: "print" });
  await admin.pdf({ path: join(shots, "attestation-report-printed.pdf") });
  await admin.emulateMedia({ media: "screen" });

  step("on a phone: the overview fits the screen");
  const phone = await newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await phone.context().addCookies(await admin.context().cookies());
  await phone.goto(practiceUrl);
  await checkPage(phone);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
  await shot(phone, "overview-phone");

  step("phones: a link opened on an old iPhone and on an Android phone records each phone");
  async function phoneLink() {
    await admin.goto(`${practiceUrl}/phones`);
    await checkPage(admin);
    await admin.fill("#email", "admin@riverside.example");
    await admin.click("text=Make a link");
    await checkPage(admin);
    assert.ok(await admin.locator("div.qr svg").count() === 1, "the link has its QR code");
    return (await admin.locator("#phone-link").textContent()).trim();
  }
  const oldIphone = await newPage({
    userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 15_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Mobile/15E148 Safari/604.1",
    viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true,
  });
  await oldIphone.goto(await phoneLink());
  await checkPage(oldIphone);
  assert.ok(await oldIphone.getByText("iOS 15.6").isVisible(), "the page read the iOS version from Safari");
  await oldIphone.check("input[name=screen_lock][value=yes]");
  await oldIphone.check("input[name=automatic_updates][value=no]");
  await oldIphone.check("input[name=visit_app][value=FaceTime]");
  await shot(oldIphone, "phone-check-iphone");
  await oldIphone.click("text=Send");
  await checkPage(oldIphone);
  assert.ok(await oldIphone.getByText("Thank you").isVisible());
  assert.ok(await oldIphone.getByText("no longer gets security fixes").isVisible(), "iOS 15 fails HY-PH-001");
  await shot(oldIphone, "phone-check-result");
  // Chrome on Android hides the version in its User-Agent; the page reads the Client Hints.
  const android = await newPage({
    userAgent: "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    extraHTTPHeaders: { "Sec-CH-UA-Platform": '"Android"', "Sec-CH-UA-Platform-Version": '"16.0.0"', "Sec-CH-UA-Model": '"Pixel 9"' },
    viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true,
  });
  await android.goto(await phoneLink());
  assert.ok(await android.getByText("Pixel 9").isVisible(), "the model came from the Client Hints");
  await android.check("input[name=screen_lock][value=yes]");
  await android.check("input[name=automatic_updates][value=yes]");
  await android.check("input[name=visit_app][value=none]");
  await android.fill("#patch", "2021-03-05");
  await android.click("text=Send");
  assert.ok(await android.getByText("Thank you").isVisible());
  await admin.goto(`${practiceUrl}/phones`);
  await checkPage(admin);
  assert.ok(await admin.locator("td:has-text('iOS 15.6')").count() === 1, "the iPhone is listed");
  assert.ok(await admin.locator("td:has-text('Android 16')").count() === 1, "the Android phone is listed");
  assert.ok(await admin.locator("td:has-text('admin@riverside.example')").count() === 2, "both belong to the person of the link");
  await shot(admin, "phones");

  step("phishing simulation: relay, campaign, the link from the captured message, the lesson");
  const smtp = await startSmtpSink();
  try {
    await admin.click("nav >> text=Simulations");
    await checkPage(admin);
    assert.ok(await admin.getByText("No campaign yet").isVisible());
    await admin.fill("#host", "127.0.0.1");
    await admin.fill("#port", String(smtp.port));
    await admin.selectOption("#security", "plain");
    await admin.fill("#from", "simulations@riverside.example");
    await admin.click("text=Save the relay");
    await checkPage(admin);
    assert.ok(await admin.getByText(`127.0.0.1:${smtp.port}`).isVisible(), "the relay is saved");
    await admin.fill("#name", "December: EHR password");
    await admin.selectOption("#template", "ehr-password-expiry");
    await admin.fill("#window", "0");
    await shot(admin, "simulations");
    await admin.click("text=Start the campaign");
    await checkPage(admin);
    const campaignUrl = admin.url();
    assert.match(campaignUrl, /\/campaigns\/\d+$/);
    const campaignId = campaignUrl.split("/").pop();
    const message = await waitForMessage(smtp.maildir, `X-Hygeia-Simulation: ${campaignId}`);
    const unfolded = message.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
    const link = unfolded.match(new RegExp(`${base.replace(/[.]/g, "\\.")}/s/hys_[0-9a-f]{64}`))?.[0];
    assert.ok(link, `no simulation link in the captured message: ${message}`);

    const person = await newPage();
    await person.goto(link);
    await checkPage(person);
    assert.ok(await person.getByRole("heading", { name: "This was a phishing test from Riverside Family Practice" }).isVisible());
    assert.ok(await person.getByText("hover over a link").isVisible(), "the red flags are taught at once");
    await shot(person, "simulation-landing");
    const typed = "Blue-Harbor-Lantern-77";
    await person.fill("input[name=username]", "admin@riverside.example");
    await person.fill("input[name=password]", typed);
    await person.click("main button:text-is('Sign in')");
    await checkPage(person);
    assert.ok(await person.getByText("Hygeia did not keep what you typed").isVisible());
    await person.click("text=Take the lesson");
    await checkPage(person);
    assert.ok(await person.getByRole("heading", { name: "Links that steal passwords" }).isVisible());
    assert.ok(await person.locator("img.picture").count() >= 1, "the lesson has its pictures");
    for (const [question, choice] of [[0, 1], [1, 1], [2, 0], [3, 1], [4, 1]]) {
      await person.check(`input[name=q${question}][value="${choice}"]`);
    }
    await shot(person, "lesson");
    await person.click("text=Send my answers");
    await checkPage(person);
    assert.ok(await person.getByRole("heading", { name: "5 of 5 right" }).isVisible());
    await shot(person, "lesson-passed");

    // What was typed is in neither the server's log nor its database files.
    assert.ok(!serverLog.includes(typed), "the typed password reached the server's log");
    const databaseFiles = readdirSync(work).filter((n) => /^hygeia\.db(-wal|-shm)?$/.test(n));
    assert.ok(databaseFiles.includes("hygeia.db"), `the database is in ${work}`);
    for (const file of databaseFiles) {
      assert.ok(!readFileSync(join(work, file)).includes(typed), `the typed password is in ${file}`);
    }

    await admin.goto(campaignUrl);
    await checkPage(admin);
    assert.ok(await admin.locator("td:has-text('Pat Admin')").isVisible(), "the person is listed");
    await shot(admin, "campaign");
    await admin.goto(`${practiceUrl}/simulations`);
    assert.ok(await admin.getByText("people trained in the last 12 months").isVisible());
  } finally {
    smtp.sink.kill("SIGTERM");
  }

  step("sign out");
  await admin.click("header button:text-is('Sign out')");
  assert.match(admin.url(), /\/login$/);
  await admin.goto(hostUrl);
  assert.match(admin.url(), /\/login\?next=%2Fhosts%2F\d+$/, "signed out: pages send back to sign-in");

  step("sign in again: password, then the code from the app, then the page asked for");
  await admin.fill("#email", "admin@riverside.example");
  await admin.fill("#password", "quiet river stones at noon");
  await admin.click("main button[type=submit]");
  await admin.waitForURL(/\/login\/code\?next=/);
  await checkPage(admin);
  await shot(admin, "sign-in-code");
  // The code of the next 30-second step: this step's code may have been used at set-up, and
  // each code is accepted once.
  await admin.fill("#code", totp(adminSecret, Date.now() + 30_000));
  await admin.click("main button[type=submit]");
  await admin.waitForURL(hostUrl);

  // ---- the insurer's analyst ----
  step("insurer analyst: first sign-in, practices by risk, CSV");
  const analyst = await newPage();
  await firstSignIn(analyst, "analyst@mutual.example", oneTimePassword(insurerSetup), "north star lantern meadow");
  assert.match(analyst.url(), /\/insurer$/);
  await checkPage(analyst);
  assert.ok(await analyst.locator("td a:text-is('Riverside Family Practice')").isVisible());
  await shot(analyst, "insurer");
  await analyst.fill("input[name=q]", "nothing like this");
  await analyst.click("text=Filter");
  assert.ok(await analyst.getByText("No practice matches").isVisible(), "the filter empties the list");
  await analyst.goto(`${base}/insurer`);
  const [csv] = await Promise.all([
    analyst.waitForEvent("download"),
    analyst.click("text=Download CSV"),
  ]);
  const csvPath = join(shots, "practices.csv");
  await csv.saveAs(csvPath);
  const lines = readFileSync(csvPath, "utf8").trim().split(/\r?\n/);
  assert.ok(lines[0].startsWith("practice,risk,computers"), lines[0]);
  assert.ok(lines[1].startsWith('"Riverside Family Practice"'), lines[1]);
  await analyst.click("td a:text-is('Riverside Family Practice')");
  await checkPage(analyst);
  assert.equal(await analyst.locator("nav >> text=Enrol computers").count(), 0, "the analyst manages nothing");
  await shot(analyst, "insurer-practice");

  step("no request left the server");
  const foreign = requests.filter((url) => !url.startsWith(`${base}/`) && !url.startsWith("data:"));
  assert.deepEqual(foreign, [], "pages requested other sites");
  assert.deepEqual(problems, [], "pages logged errors");
  console.log(`ok: ${requests.length} requests, all to ${base}; screenshots in ${shots}`);
} finally {
  await browser.close();
  server.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
}
