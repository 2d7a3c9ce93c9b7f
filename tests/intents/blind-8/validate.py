"""Validate intents.yaml of blind set 8 (run: python3 validate.py)."""
import calendar, collections, datetime, difflib, os, re, sys
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EARLIER_DIR = os.environ.get('EARLIER_DIR', '/work/main/tests/intents')
EARLIER = [os.path.join(EARLIER_DIR, d, 'intents.yaml') for d in ('blind', 'blind-2', 'blind-3', 'blind-4', 'blind-5', 'blind-6', 'blind-7', 'dev')]
CONTEXTS = {'none', 'suggestion', 'readback'}
LABELS = {'greeting', 'thanks', 'yes', 'no', 'stop', 'question', 'register', 'remind', 'letter',
          'calendar', 'report', 'list', 'change', 'correction', 'choose_compact'}
KINDS = {'consultation', 'funding', 'complaint'}
MIN = dict({l: 12 for l in LABELS}, register=40, question=40)
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS['sept'] = 9
MON = '|'.join(sorted(MONTHS, key=len, reverse=True))
errors = []

def norm(t):
    return ' '.join(str(t).lower().split())

def real(d, m, y=None):
    years = [y] if y else [2026, 2027, 2028]
    for yy in years:
        try:
            datetime.date(yy, m, d)
            return True
        except ValueError:
            pass
    return False

def check_dates(i, t):
    low = t.lower()
    for d, m, y in re.findall(r'\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b', low):
        yy = int(y) + (2000 if y and len(y) == 2 else 0) if y else None
        if not real(int(d), int(m), yy):
            errors.append(f'{i}: not a real date {d}/{m}/{y} in {t!r}')
    for d, m, y in re.findall(rf'\b(\d{{1,2}})(?:st|nd|rd|th)?(?: of)? ({MON})\b\.?(?: (\d{{4}}))?', low):
        if not real(int(d), MONTHS[m], int(y) if y else None):
            errors.append(f'{i}: not a real date {d} {m} in {t!r}')
    for m, d in re.findall(rf'\b({MON}) (\d{{1,2}})(?:st|nd|rd|th)?\b', low):
        if not real(int(d), MONTHS[m]):
            errors.append(f'{i}: not a real date {m} {d} in {t!r}')

data = yaml.safe_load(open(os.path.join(HERE, 'intents.yaml'), encoding='utf-8'))
if not isinstance(data, list):
    sys.exit('intents.yaml is not a list')
seen = {}
first = set()
for path in EARLIER:
    if os.path.exists(path):
        first |= {norm(e['text']) for e in yaml.safe_load(open(path, encoding='utf-8'))}
    else:
        print(f'warning: {path} not found, overlap with it not checked')
counts = collections.Counter()
ctx = collections.defaultdict(collections.Counter)
kinds = collections.Counter()
for i, e in enumerate(data):
    if not isinstance(e, dict):
        errors.append(f'{i}: not a mapping'); continue
    keys = set(e)
    if not {'text', 'context', 'intent'} <= keys or keys - {'text', 'context', 'intent', 'kind'}:
        errors.append(f'{i}: keys {sorted(keys)}'); continue
    t, c, l = e['text'], e['context'], e['intent']
    if not isinstance(t, str) or not t.strip():
        errors.append(f'{i}: text not a non-empty string: {t!r}'); continue
    if t.lstrip().startswith('/'):
        errors.append(f'{i}: slash command {t!r}')
    if c not in CONTEXTS:
        errors.append(f'{i}: context {c!r}')
    if l not in LABELS:
        errors.append(f'{i}: intent {l!r}')
    if (l == 'register') != ('kind' in e):
        errors.append(f'{i}: kind must be present exactly on register')
    if l == 'register' and e.get('kind') not in KINDS:
        errors.append(f'{i}: kind {e.get("kind")!r}')
    if l == 'correction' and c != 'readback':
        errors.append(f'{i}: correction outside readback')
    if l == 'change' and c != 'none':
        errors.append(f'{i}: change outside none')
    if l in ('yes', 'no') and c == 'none':
        errors.append(f'{i}: {l} with nothing pending')
    n = norm(t)
    if n in seen:
        errors.append(f'{i}: duplicate of {seen[n]}: {t!r}')
    seen[n] = i
    if n in first:
        errors.append(f'{i}: duplicate of an earlier-set text: {t!r}')
    check_dates(i, t)
    counts[l] += 1
    ctx[l][c] += 1
    if l == 'register':
        kinds[e['kind']] += 1
for l, m in MIN.items():
    if counts[l] < m:
        errors.append(f'label {l}: {counts[l]} < {m}')
near = []
for e in data:
    n = norm(e['text'])
    for f in first:
        if difflib.SequenceMatcher(None, n, f).ratio() >= 0.85:
            near.append((e['text'], f))
print(f'{len(data)} messages')
for l in sorted(counts, key=lambda x: -counts[x]):
    print(f'  {l:15} {counts[l]:3}  ' + ', '.join(f'{c} {n}' for c, n in sorted(ctx[l].items())))
print('  register kinds: ' + ', '.join(f'{k} {n}' for k, n in sorted(kinds.items())))
for a, b in near:
    print(f'  warning: close to an earlier text: {a!r} ~ {b!r}')
print('errors:' if errors else 'no errors')
for x in errors:
    print('  ' + x)
sys.exit(1 if errors else 0)
