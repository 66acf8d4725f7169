// `make package`: OpenWrt packages of floatgw from the binaries of the
// project's own cross build, one .ipk (opkg, OpenWrt <= 24.10) and one .apk
// (apk v3, OpenWrt 25.12+) per CPU, built the way the OpenWrt SDK builds them:
//   - what a package is and holds comes from its SDK Makefile
//     (openwrt/<package>/Makefile), read by make with the stand-in SDK
//     includes of mk/openwrt-sdk/ (fields, description, conffiles, scripts,
//     and Package/<package>/install run into a staging directory);
//   - the .ipk is laid out as OpenWrt's scripts/ipkg-build lays it out (an
//     outer gzipped tar of ./debian-binary, ./data.tar.gz, ./control.tar.gz;
//     GNU tar format, numeric root ownership, sorted names, one mtime) with
//     the control fields and scripts of include/package-pack.mk;
//   - the .apk is made by `apk mkpkg` with the fields, scripts and
//     /lib/apk/packages/<package>.{list,conffiles,conffiles_static} of
//     include/package-pack.mk.
// The same inputs give the same bytes: every time stamp is SOURCE_DATE_EPOCH
// (default: the time of the last commit) and nothing else varies. Run as
// root (files are packaged as root's, as OpenWrt's fakeroot does).
//
// usage: node scripts/package.mjs --apk APK --out DIR [--release N] CPU...
// (--release: build as PKG_RELEASE N instead of the Makefile's, as the
// upgrade test does for a newer version of the same build)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync, cpSync, lstatSync, lutimesSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The packages `make package` builds: each is described by its SDK
 * Makefile alone. */
const PACKAGES = ["openwrt/floatgw", "openwrt/luci-app-floatgw"];
/** The SDK's name for a package's source when this repository's openwrt/
 * directory is the feed "floatgw". */
const FEED = "feeds/floatgw";

function sh(argv, opts = {}) {
  return execFileSync(argv[0], argv.slice(1), { encoding: opts.encoding ?? "utf8", maxBuffer: 1 << 28, ...opts });
}

function parseArgs(argv) {
  const opts = { apk: "", out: "", release: "", cpus: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--apk") opts.apk = resolve(argv[++i]);
    else if (argv[i] === "--out") opts.out = resolve(argv[++i]);
    else if (argv[i] === "--release") opts.release = argv[++i];
    else opts.cpus.push(argv[i]);
  }
  if (!opts.apk || !opts.out || opts.cpus.length === 0) throw new Error("usage: package.mjs --apk APK --out DIR CPU...");
  return opts;
}

function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  return Number(sh(["git", "-C", ROOT, "log", "-1", "--format=%ct"]).trim());
}

/** Evaluates openwrt/<package>/Makefile with the stand-in SDK includes:
 * `info` writes each package's fields to infoDir/<name>/, `install` stages
 * its files for the CPU in stageDir/<name>/. */
function runMakefile(pkgDir, cpu, targets, infoDir, stageDir, release) {
  const sdk = join(ROOT, "mk/openwrt-sdk");
  sh(["make", "-s", "--no-print-directory", "-f", join(ROOT, pkgDir, "Makefile"), `TOPDIR=${sdk}`, `INCLUDE_DIR=${sdk}`,
    `PKG_BUILD_DIR=${ROOT}`, `ARCH_PACKAGES=${cpu}`, `INFO_DIR=${infoDir}`, `STAGE_DIR=${stageDir}`,
    ...(release ? [`PKG_RELEASE=${release}`] : []), ...targets],
  { cwd: join(ROOT, pkgDir), stdio: ["ignore", "inherit", "inherit"] });
}

/** A package's fields as its Makefile gives them (trailing newline gone). */
function readInfo(dir) {
  const info = {};
  for (const f of readdirSync(dir)) info[f] = readFileSync(join(dir, f), "utf8").replace(/\n$/, "");
  return info;
}

/** Every path under dir (itself excluded), sorted as LC_ALL=C sort does. */
function walk(dir) {
  const out = [];
  const visit = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.push(p);
      if (lstatSync(p).isDirectory()) visit(p);
    }
  };
  visit(dir);
  return out.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function sha256(file) {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** `tar ... | gzip -n` with ipkg-build's tar options, as root: a GNU tar of
 * `members` (relative to cwd) with sorted names and one mtime. Compressed
 * by zopfli rather than gzip: the same deflate format, which opkg reads as
 * any gzip file, 4 % smaller for the binary (docs/packaging.md), and as
 * deterministic (its header has no name and no time). */
function tarGz(cwd, members, out, epoch) {
  sh(["tar", "--format=gnu", "--numeric-owner", "--owner=0", "--group=0", "--sort=name",
    `--mtime=@${epoch}`, "-cf", `${out}.tar`, ...members], { cwd });
  writeFileSync(out, sh(["zopfli", "-c", `${out}.tar`], { encoding: "buffer" }));
  const size = statSync(`${out}.tar`).size;
  rmSync(`${out}.tar`);
  return size;
}

/** Lines of a define, each with its leading blanks made one space, as
 * package-pack.mk writes the control file's Description. */
function controlDescription(text) {
  return text.split("\n").map((l) => l.replace(/^[ \t]*/, " ")).join("\n");
}

/** The listed conffiles the package ships as regular files, sorted (what
 * ipkg-build keeps), and those it does not ship (for /lib/upgrade/keep.d). */
function splitConffiles(info, root) {
  const listed = (info.conffiles ?? "").split(/\s+/).filter(Boolean);
  const shipped = listed.filter((f) => statSync(join(root, f), { throwIfNoEntry: false })?.isFile());
  return { listed, shipped: [...shipped].sort(), kept: listed.filter((f) => !shipped.includes(f)) };
}

function addKeepList(name, root, kept) {
  if (kept.length === 0) return;
  mkdirSync(join(root, "lib/upgrade/keep.d"), { recursive: true });
  writeFileSync(join(root, "lib/upgrade/keep.d", name), kept.map((f) => f + "\n").join(""));
}

const IPK_POSTINST = `#!/bin/sh
[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s \${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. \${IPKG_INSTROOT}/lib/functions.sh
default_postinst $0 $@
`;
const IPK_PRERM = `#!/bin/sh
[ -s \${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. \${IPKG_INSTROOT}/lib/functions.sh
default_prerm $0 $@
`;

function buildIpk({ name, info, stage, work, out, arch, epoch }) {
  const root = join(work, "data");
  cpSync(stage, root, { recursive: true, verbatimSymlinks: true });
  const conffiles = splitConffiles(info, root);
  addKeepList(name, root, conffiles.kept);

  const control = join(work, "CONTROL");
  mkdirSync(control);
  const script = (file, text) => {
    writeFileSync(join(control, file), text);
    chmodSync(join(control, file), 0o755);
  };
  script("postinst", IPK_POSTINST);
  script("prerm", IPK_PRERM);
  // The package's own scripts, which default_postinst/default_prerm run.
  if (info.preinst) script("preinst", info.preinst + "\n");
  if (info.postinst) script("postinst-pkg", info.postinst + "\n");
  if (info.prerm) script("prerm-pkg", info.prerm + "\n");
  if (info.postrm) script("postrm", info.postrm + "\n");
  if (conffiles.shipped.length > 0) {
    writeFileSync(join(control, "conffiles"), conffiles.shipped.map((f) => f + "\n").join(""));
    chmodSync(join(control, "conffiles"), 0o644);
  }

  const pkgdir = join(work, "ipk");
  mkdirSync(pkgdir);
  const installedSize = tarGz(root, ["."], join(pkgdir, "data.tar.gz"), epoch);
  const field = (k, v) => (v ? `${k}: ${v}\n` : "");
  writeFileSync(join(control, "control"),
    field("Package", name) + field("Version", info.version) + field("Depends", info.depends) +
    field("Source", `${FEED}/${info.dir}`) + field("SourceName", info.pkg_name) + field("License", info.license) +
    field("LicenseFiles", info.license_files) + field("Section", info.section) + field("SourceDateEpoch", String(epoch)) +
    field("URL", info.url) + field("Maintainer", info.maintainer) + field("Architecture", arch) +
    field("Installed-Size", String(installedSize)) + `Description: ${controlDescription(info.description)}\n`);
  chmodSync(join(control, "control"), 0o644);
  tarGz(control, ["."], join(pkgdir, "control.tar.gz"), epoch);
  writeFileSync(join(pkgdir, "debian-binary"), "2.0\n");
  const file = join(out, `${name}_${info.version}_${arch}.ipk`);
  tarGz(pkgdir, ["./debian-binary", "./data.tar.gz", "./control.tar.gz"], file, epoch);
  return file;
}

/** The body of a package script without its #! line (package-pack.mk's
 * `sed '/^\s*#!/d'`). */
const withoutShebang = (text) => text.split("\n").filter((l) => !/^\s*#!/.test(l)).join("\n");

function buildApk({ name, info, stage, work, out, arch, epoch, apk }) {
  const root = join(work, "data");
  cpSync(stage, root, { recursive: true, verbatimSymlinks: true });
  const conffiles = splitConffiles(info, root);
  addKeepList(name, root, conffiles.kept);
  const meta = join(root, "lib/apk/packages");
  mkdirSync(meta, { recursive: true });
  // Regular files and symlinks, as `find -type f,l`.
  const listed = walk(root).filter((p) => !lstatSync(p).isDirectory());
  writeFileSync(join(meta, `${name}.list`), listed.map((p) => `/${relative(root, p)}\n`).join(""));
  if (info.conffiles) {
    writeFileSync(join(meta, `${name}.conffiles`), info.conffiles + "\n");
    writeFileSync(join(meta, `${name}.conffiles_static`),
      conffiles.listed.filter((f) => conffiles.shipped.includes(f)).map((f) => `${f} ${sha256(join(root, f))}\n`).join(""));
  }

  const scripts = join(work, "scripts");
  mkdirSync(scripts);
  const common = `[ -s \${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. \${IPKG_INSTROOT}/lib/functions.sh
export root="\${IPKG_INSTROOT}"
export pkgname="${name}"
`;
  const postInstall = `#!/bin/sh
[ "\${IPKG_NO_SCRIPT}" = "1" ] && exit 0
${common}add_group_and_user
default_postinst
${info.postinst ? withoutShebang(info.postinst) + "\n" : ""}`;
  const files = {
    "post-install": postInstall,
    "post-upgrade": `#!/bin/sh\nexport PKG_UPGRADE=1\n${withoutShebang(postInstall)}`,
    "pre-deinstall": `#!/bin/sh\n${common}default_prerm\n${info.prerm ? withoutShebang(info.prerm) + "\n" : ""}`,
  };
  if (info.preinst) {
    files["pre-install"] = info.preinst + "\n";
    files["pre-upgrade"] = `#!/bin/sh\nexport PKG_UPGRADE=1\n${withoutShebang(info.preinst)}\n`;
  }
  if (info.postrm) files["post-deinstall"] = info.postrm + "\n";
  for (const [type, text] of Object.entries(files)) writeFileSync(join(scripts, type), text);

  // apk records each file's mtime: all of them get the one time stamp.
  for (const p of [root, ...walk(root)]) lutimesSync(p, epoch, epoch);
  const file = join(out, `${name}-${info.version}.apk`);
  const description = info.description.replace(/\s+/g, " ").trim();
  sh([apk, "mkpkg",
    "--info", `name:${name}`, "--info", `version:${info.version}`, "--info", `description:${description}`,
    "--info", `arch:${arch === "all" ? "noarch" : arch}`, "--info", `license:${info.license}`,
    "--info", `origin:${FEED}/${info.dir}`, "--info", `url:${info.url}`, "--info", `maintainer:${info.maintainer}`,
    ...Object.keys(files).flatMap((type) => ["--script", `${type}:${join(scripts, type)}`]),
    "--info", `depends:${info.depends.split(/,\s*/).filter(Boolean).join(" ")}`,
    "--files", root, "--output", file]);
  return file;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) throw new Error("make package runs as root: files are packaged as root's");
  const epoch = sourceDateEpoch();
  const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const work = join(opts.out, ".work");
  rmSync(work, { recursive: true, force: true });
  const built = [];
  for (const pkgDir of PACKAGES) {
    // One info directory per Makefile: it lists the packages that Makefile makes.
    const infoDir = join(work, "info", pkgDir);
    runMakefile(pkgDir, opts.cpus[0], ["info"], infoDir, "", opts.release);
    for (const name of readdirSync(infoDir)) {
      const info = { ...readInfo(join(infoDir, name)), dir: pkgDir.split("/").pop() };
      if (info.pkg_version !== version) {
        throw new Error(`${pkgDir}/Makefile: PKG_VERSION ${info.pkg_version} differs from package.json's ${version}`);
      }
      const arches = info.pkgarch === "all" ? ["all"] : opts.cpus;
      for (const arch of arches) {
        const archWork = join(work, name, arch);
        const stageDir = join(archWork, "stage");
        runMakefile(pkgDir, arch === "all" ? opts.cpus[0] : arch, [`install-${name}`], "", stageDir, opts.release);
        const out = join(opts.out, arch);
        mkdirSync(out, { recursive: true });
        const job = { name, info, stage: join(stageDir, name), out, arch, epoch };
        mkdirSync(join(archWork, "ipk"));
        mkdirSync(join(archWork, "apk"));
        built.push(buildIpk({ ...job, work: join(archWork, "ipk") }));
        built.push(buildApk({ ...job, work: join(archWork, "apk"), apk: opts.apk }));
      }
    }
  }
  rmSync(work, { recursive: true, force: true });
  const sizes = Object.fromEntries(built.map((f) => [relative(opts.out, f), statSync(f).size]));
  writeFileSync(join(opts.out, "sizes.json"), JSON.stringify(sizes, null, 2) + "\n");
  for (const [f, size] of Object.entries(sizes)) console.log(`package: ${f} (${size} bytes)`);
}

main();
