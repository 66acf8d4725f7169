#!/usr/bin/env python3
"""A stand-in for OpenWrt's `uci` command, for the DHCP lab on Debian (which
has no uci). It implements only what files/etc/hotplug.d/floatgw/50-dnsmasq
and test/lab/dnsmasq-init.sh call: -q, -c DIR, -t DIR, show, get, set,
add_list, del_list, delete, commit, export; named sections only. Unlike uci
it writes every change at once (commit is a no-op, and -t, uci's directory
for uncommitted changes, is ignored), and it writes files in uci's own
export layout, so a section changed and changed back reads back byte for
byte as uci would write it. The config directory is -c DIR, else
$UCI_STANDIN_DIR."""
import os
import re
import sys

CONFDIR = os.environ.get("UCI_STANDIN_DIR", "/etc/config")
LINE = re.compile(r"^\s*(config|option|list)\s+(\S+)(?:\s+'([^']*)')?\s*$")


def load(pkg):
    sections = []  # [type, name, [(kind, key, value)]]
    path = os.path.join(CONFDIR, pkg)
    if not os.path.exists(path):
        return sections
    for line in open(path):
        m = LINE.match(line)
        if not m:
            continue
        kind, word, value = m.groups()
        if kind == "config":
            sections.append([word, value, []])
        else:
            sections[-1][2].append((kind, word, value))
    return sections


def save(pkg, sections):
    out = ""
    for typ, name, opts in sections:
        out += f"\nconfig {typ} '{name}'\n"
        for kind, key, value in opts:
            out += f"\t{kind} {key} '{value}'\n"
    with open(os.path.join(CONFDIR, pkg), "w") as f:
        f.write(out + "\n" if out else "")


def section(sections, name):
    for s in sections:
        if s[1] == name:
            return s
    return None


def main(argv):
    global CONFDIR
    quiet = False
    while argv and argv[0] in ("-q", "-c", "-t"):
        opt = argv.pop(0)
        if opt == "-q":
            quiet = True
        else:
            value = argv.pop(0)
            if opt == "-c":
                CONFDIR = value
    cmd, rest = argv[0], argv[1:]
    if cmd == "commit":
        return 0
    if cmd == "export":
        path = os.path.join(CONFDIR, rest[0])
        if not os.path.exists(path):
            return 1
        print(f"package {rest[0]}")
        sys.stdout.write(open(path).read())
        return 0
    target, _, value = rest[0].partition("=") if rest else ("", "", "")
    parts = target.split(".")
    pkg = parts[0]
    sections = load(pkg)
    if cmd == "show":
        for typ, name, opts in sections:
            print(f"{pkg}.{name}={typ}")
            keys = []
            for _, key, _ in opts:
                if key not in keys:
                    keys.append(key)
            for key in keys:
                vals = [v for _, k, v in opts if k == key]
                print(f"{pkg}.{name}.{key}=" + " ".join(f"'{v}'" for v in vals))
        return 0
    s = section(sections, parts[1])
    key = parts[2] if len(parts) > 2 else None
    if s is None or key is None:
        if not quiet:
            print("uci: Entry not found", file=sys.stderr)
        return 1
    opts = s[2]
    if cmd == "get":
        vals = [v for _, k, v in opts if k == key]
        if not vals:
            return 1
        print(" ".join(vals))
        return 0
    if cmd == "set":
        idx = [i for i, o in enumerate(opts) if o[1] == key]
        if idx:
            opts[idx[0]] = ("option", key, value)
            for i in reversed(idx[1:]):
                del opts[i]
        else:
            opts.append(("option", key, value))
    elif cmd == "add_list":
        idx = [i for i, o in enumerate(opts) if o[1] == key]
        opts.insert(idx[-1] + 1 if idx else len(opts), ("list", key, value))
    elif cmd == "del_list":
        s[2] = [o for o in opts if not (o[1] == key and o[2] == value)]
    elif cmd == "delete":
        if not any(o[1] == key for o in opts):
            return 1
        s[2] = [o for o in opts if o[1] != key]
    else:
        print(f"uci stand-in: {cmd} not implemented", file=sys.stderr)
        return 1
    save(pkg, sections)
    return 0


sys.exit(main(sys.argv[1:]))
