#!/usr/bin/env python3
"""Compare the options each command shows and accepts with the man page and
the README.  Usage: docopts.py PORTSCOPE MANPAGE README

The commands come from `portscope --help`; each command's options from
`portscope help CMD` (every -x / --word in its text).  The man page's part
for CMD runs from `.SS CMD` to the next command's .SS or the next .SH
(other subsections, such as query's "Port sets", are part of it); an
option it documents is one in a .TP tag of `.SS CMD` itself.  The README's part is between
`<!-- section: CMD -->` and `<!-- end: CMD -->`.  An option is accepted when
`portscope CMD OPT 1 --zz-sentinel` (or, for PortQry's forms,
`portscope OPT 1 --zz-sentinel`) complains of nothing but the sentinel.

Prints one line per finding, "CMD<TAB>KIND<TAB>DETAIL", where KIND is
section (no man/README part), help-not-in-man, man-not-in-help,
not-accepted, readme-not-accepted; and "CMD<TAB>checked<TAB>N" per command.
"""
import os
import re
import subprocess
import sys

ps, man, readme = sys.argv[1:4]
OPT = re.compile(r'(?<![\w\-/.+])(--?[a-zA-Z0-9?][a-zA-Z0-9-]*)')
SENTINEL = '--zz-no-such-option'


def opts(text):
    return set(m.group(1) for m in OPT.finditer(text))


def run(args):
    p = subprocess.run([ps] + args, capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=30)
    return p.stdout + p.stderr


def accepted(cmd, opt):
    for args in ([cmd, opt, '1', SENTINEL], [opt, '1', SENTINEL]):
        out = run(args)
        complaints = [l for l in out.splitlines() if 'unknown option' in l
                      and SENTINEL not in l]
        if not complaints:
            return True
    return False


def man_parts(cmds):
    text = open(man).read().replace('\\-', '-')
    text = re.sub(r'\\f[BIRP]|\\\(..|\\&|\\e', ' ', text)
    lines = text.split('\n')
    tags, mentions, cur, own = {}, {}, None, False
    for i, line in enumerate(lines):
        m = re.match(r'\.S([HS])\s+"?([^"]*)"?', line)
        if m:
            name = m.group(2).strip()
            own = name in cmds
            if m.group(1) == 'H':
                cur = None
            elif own:
                cur = name
                tags.setdefault(cur, set())
                mentions.setdefault(cur, set())
            continue
        if cur is None:
            continue
        mentions[cur] |= opts(line)
        if own and line.startswith('.TP') and i + 1 < len(lines):
            tags[cur] |= opts(lines[i + 1])
    return tags, mentions


def readme_parts(cmds):
    text = open(readme).read()
    parts = {}
    for c in cmds:
        m = re.search(r'<!-- section: %s -->(.*?)<!-- end: %s -->' % (c, c),
                      text, re.S)
        if m:
            # only what is typed at a prompt: indented lines starting with
            # "portscope" or "$ portscope"
            typed = [l for l in m.group(1).splitlines()
                     if re.match(r'\s{4}(\$ )?portscope\b', l)]
            parts[c] = opts('\n'.join(l.split('#')[0] for l in typed))
    return parts


def main():
    top = run(['--help'])
    block = top.split('commands:', 1)[1].split('\n\n', 1)[0]
    cmds = re.findall(r'^  ([a-z]+) ', block, re.M)
    tags, mentions = man_parts(cmds)
    readme = readme_parts(cmds)
    for c in cmds:
        if c not in tags:
            print('%s\tsection\tno .SS %s in the man page' % (c, c))
            continue
        if c not in readme:
            print('%s\tsection\tno <!-- section: %s --> in the README' % (c, c))
        shown = opts(run(['help', c]))
        for o in sorted(shown - mentions[c]):
            print('%s\thelp-not-in-man\t%s' % (c, o))
        for o in sorted(tags[c] - shown):
            print('%s\tman-not-in-help\t%s' % (c, o))
        for o in sorted(shown | tags[c]):
            if not accepted(c, o):
                print('%s\tnot-accepted\t%s' % (c, o))
        for o in sorted(readme.get(c, set()) - shown - tags[c]):
            if not accepted(c, o):
                print('%s\treadme-not-accepted\t%s' % (c, o))
        print('%s\tchecked\t%d' % (c, len(shown | tags[c])))


if __name__ == '__main__':
    os.chdir(os.environ.get('TMP', '/tmp'))
    main()
