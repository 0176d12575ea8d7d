#!/usr/bin/env python3
# Writes each entity of a network scenario as a single-firm file (ENTITY.toml in the current
# folder): its tables moved to the top level, its [financing] dropped, [scenario] and [run] kept.
# Also writes no-flows.toml: the same network without its flows and financing, so the same
# firms simulated together and nothing else joining them.
# For the benchmark in BENCHMARKS.md ("A network path against its firms alone"):
#   python3 scripts/network-entities.py scenarios/network.toml
import re, sys
text = open(sys.argv[1]).read().split('\n')
sections = []  # (header, lines)
cur = (None, [])
for line in text:
    m = re.match(r'^\[([^\]]+)\]\s*$', line)
    if m:
        sections.append(cur); cur = (m.group(1), [])
    else:
        cur[1].append(line)
sections.append(cur)
entities = []
for h, _ in sections:
    if h and h.startswith('entities.'):
        e = h.split('.')[1]
        if e not in entities: entities.append(e)
for e in entities:
    out = []
    for h, lines in sections:
        if h in ('scenario', 'run'):
            out.append(f'[{h}]'); out += lines
        elif h and h.startswith(f'entities.{e}.'):
            rest = h[len(f'entities.{e}.'):]
            if rest == 'financing': continue
            out.append(f'[{rest}]'); out += lines
    open(f'{e}.toml', 'w').write('\n'.join(out) + '\n')
together = []
for h, lines in sections:
    if h and (h.startswith('flows.') or h.endswith('.financing')):
        continue
    if h:
        together.append(f'[{h}]')
    together += lines
open('no-flows.toml', 'w').write('\n'.join(together) + '\n')
print(' '.join(entities))
