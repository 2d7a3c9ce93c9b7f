"""Validate the eighth blind registration set: python3 validate.py (from any directory)."""
import datetime as dt, pathlib, sys, yaml

HERE = pathlib.Path(__file__).resolve().parent
CODES = {'kent-2011', 'west-kent', 'perth-kinross', 'kent-2007-draft', 'rbkc'}
DATE_KEYS = {'opens', 'closes', 'ends', 'notice', 'consultation_start'}
ALLOWED = {
    'consultation': {'body', 'body_full', 'title_words', 'opens', 'closes'},
    'funding': {'funder', 'funder_full', 'title_words', 'ends', 'notice', 'consultation_start'},
    'complaint': {'against', 'body', 'body_full', 'summary_words'},
}
MINIMUM = {'consultation': 55, 'funding': 45, 'complaint': 30}
errors, seen_ids, seen_msgs, counts = [], set(), set(), {}

def err(cid, text): errors.append(f'{cid}: {text}')

for kind in ('consultation', 'funding', 'complaint'):
    cases = yaml.safe_load((HERE / f'{kind}.yaml').read_text(encoding='utf-8'))
    assert isinstance(cases, list), kind
    refused = 0
    for c in cases:
        cid = c.get('id', '?')
        missing = {'id', 'today', 'follows', 'message', 'kind', 'expect', 'refuse'} - c.keys()
        if missing: err(cid, f'missing keys {missing}')
        extra = c.keys() - {'id', 'today', 'follows', 'message', 'kind', 'expect', 'refuse', 'note'}
        if extra: err(cid, f'unknown keys {extra}')
        if cid in seen_ids: err(cid, 'duplicate id')
        seen_ids.add(cid)
        msg = c.get('message', '')
        if not isinstance(msg, str) or not msg.strip(): err(cid, 'empty message')
        norm = ' '.join(msg.lower().split())
        if norm in seen_msgs: err(cid, 'duplicate message')
        seen_msgs.add(norm)
        if c.get('kind') != kind: err(cid, f'kind {c.get("kind")} in {kind}.yaml')
        today = c.get('today')
        if type(today) is not dt.date: err(cid, f'today not a date: {today!r}')
        if not isinstance(c.get('follows'), list) or set(c['follows']) - CODES: err(cid, f'bad follows {c.get("follows")}')
        if not isinstance(c.get('refuse'), bool): err(cid, 'refuse not a boolean')
        e = c.get('expect')
        if not isinstance(e, dict): err(cid, 'expect not a mapping'); continue
        if c.get('refuse'):
            refused += 1
            if e: err(cid, 'refused case must have expect: {}')
            continue
        if set(e) - ALLOWED[kind]: err(cid, f'fields not allowed for {kind}: {set(e) - ALLOWED[kind]}')
        for k in DATE_KEYS & set(e):
            if type(e[k]) is not dt.date: err(cid, f'{k} not a real date: {e[k]!r}')
        low = msg.lower()
        for wk in ('title_words', 'summary_words'):
            if wk in e:
                w = e[wk]
                if not (isinstance(w, list) and 1 <= len(w) <= 3 and all(isinstance(x, str) and x == x.lower() for x in w)):
                    err(cid, f'{wk} must be 1-3 lower-case words')
                for x in w:
                    if x not in low: err(cid, f'{wk} word {x!r} not in the message')
        for bk in ('body', 'funder'):
            if bk in e and e[bk].lower() not in low: err(cid, f'{bk} {e[bk]!r} not in the message as written')
        if kind == 'consultation':
            if 'body' not in e: err(cid, 'consultation without body')
            if 'opens' in e and 'closes' in e and e['closes'] <= e['opens']: err(cid, 'closes not after opens')
            if 'closes' in e and type(today) is dt.date and e['closes'] < today: err(cid, 'close in the past')
        if kind == 'funding':
            if 'funder' not in e or 'ends' not in e: err(cid, 'funding needs funder and ends')
            if type(today) is dt.date and e.get('ends', today) < today: err(cid, 'last funded day in the past')
            for k in ('notice', 'consultation_start'):
                if k in e and type(today) is dt.date and e[k] > today: err(cid, f'{k} after today')
                if k in e and e[k] > e['ends']: err(cid, f'{k} after the last funded day')
        if kind == 'complaint':
            if e.get('against') not in ('public', 'vcs'): err(cid, 'against must be public or vcs')
            if 'body' not in e or 'summary_words' not in e: err(cid, 'complaint needs body and summary_words')
    counts[kind] = (len(cases), refused)
    if len(cases) < MINIMUM[kind]: errors.append(f'{kind}.yaml: {len(cases)} cases, fewer than {MINIMUM[kind]}')

# no case-insensitive duplicate of an earlier set's message, and no near-copy (when present)
import difflib
EARLIER = [pathlib.Path('/work/main/tests/registrations/blind'),
           pathlib.Path('/work/main/tests/registrations/blind-2'),
           pathlib.Path('/work/main/tests/registrations/blind-3'),
           pathlib.Path('/work/main/tests/registrations/blind-4'),
           pathlib.Path('/work/main/tests/registrations/blind-5'),
           pathlib.Path('/work/main/tests/registrations/blind-6'),
           pathlib.Path('/work/main/tests/registrations/blind-7')]
earlier = set()
for folder in EARLIER:
    if folder.is_dir():
        for kind in ('consultation', 'funding', 'complaint'):
            for c in yaml.safe_load((folder / f'{kind}.yaml').read_text(encoding='utf-8')):
                earlier.add(' '.join(c['message'].lower().split()))
for m in seen_msgs & earlier:
    errors.append(f'message repeats an earlier set\'s case: {m!r}')
for m in seen_msgs:
    for o in earlier:
        if difflib.SequenceMatcher(None, m, o).ratio() > 0.8:
            errors.append(f'message is a near-copy of an earlier case: {m!r} ~ {o!r}')

for kind, (n, r) in counts.items():
    print(f'{kind}.yaml: {n} cases ({r} refuse: true)')
print(f'total: {sum(n for n, _ in counts.values())} cases')
if errors:
    print('\n'.join(errors)); sys.exit(1)
print('OK: no problems found')
