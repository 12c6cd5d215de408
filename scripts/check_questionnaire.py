#!/usr/bin/env python3
"""Check the security-assessment questionnaire table (docs/rating_rules.md §1).

Usage: python3 scripts/check_questionnaire.py [PATH]

PATH defaults to rating_tables/2026-12/questionnaire.json under the repository root
(found from this script's own location).  Prints a summary: items and points per domain,
totals, SECURITY ACTION tags, allow_na items and IPA self-check coverage.  Exits 1, listing
every violation, when an invariant does not hold; exits 0 otherwise.
"""

import json
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = REPO_ROOT / "rating_tables" / "2026-12" / "questionnaire.json"

EXPECTED_ITEMS = 98
EXPECTED_DOMAINS = 24
TOTAL_POINTS = 1000
MIN_PER_DOMAIN, MAX_PER_DOMAIN = 3, 6
IPA_MAX = 25
ALLOW_NA_RANGE = (8, 15)  # guidance ("be sparing"), reported as a warning only

TOP_KEYS = ["table", "edition", "effective_from", "effective_to", "max_score", "answer_credits",
            "domains", "items"]
CREDITS = OrderedDict([("yes", 1.0), ("partial", 0.5), ("no", 0.0), ("unknown", 0.0)])
DOMAIN_KEYS = ["number", "key", "name_ja", "name_en"]
ITEM_KEYS = ["id", "domain", "points", "ipa_no", "allow_na", "security_action",
             "question_ja", "question_en", "measure_ja", "measure_en"]
OPTIONAL_ITEM_KEYS = {"ipa_no", "allow_na", "security_action"}
TEXT_KEYS = ["question_ja", "question_en", "measure_ja", "measure_en"]

# Domain order and meaning fixed by docs/rating_rules.md §1.
DOMAIN_MEANINGS = [
    "software updates", "malware protection", "passwords and authentication (incl. MFA)",
    "access rights and sharing settings", "threat information and awareness",
    "e-mail handling rules", "safe web use, online banking and shopping",
    "backup and recovery", "classification of confidential information",
    "removable media and taking data out", "disposal of devices and data",
    "physical security", "mobile devices and remote work",
    "employee education and phishing drills", "security policy and rules",
    "organisation and responsibilities", "asset inventory",
    "network configuration documented", "perimeter defence (firewall/UTM)",
    "endpoint monitoring and logs (EDR)", "cloud services and outsourcing",
    "incident response readiness", "personal and customer data protection",
    "supply-chain and business-partner requirements",
]
# First significant word(s) each English domain name must contain (catches re-ordering).
DOMAIN_NAME_HINTS = [
    "update", "malware", "password", "access", "threat", "mail", "web", "backup",
    "confidential", "removable", "disposal", "physical", "mobile", "education", "policy",
    "organi", "asset", "network", "perimeter", "endpoint", "cloud", "incident", "personal",
    "supply",
]
ONE_STAR_DOMAINS = [1, 2, 3, 4, 5]
TWO_STAR_COUNT = 3
TWO_STAR_DOMAINS = {15, 16}
TWO_STAR_MIN_IN_15 = 2  # policy established + policy published

ID_RE = re.compile(r"^D(\d{2})\.([1-9]\d*)$")
KEY_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
JA_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
EN_SENTENCE_END = re.compile(r"[.?!](?=\s|$)")


class Checker:
    def __init__(self):
        self.errors = []
        self.warnings = []

    def err(self, msg):
        self.errors.append(msg)

    def warn(self, msg):
        self.warnings.append(msg)


def no_duplicate_keys(pairs):
    seen = OrderedDict()
    for k, v in pairs:
        if k in seen:
            raise ValueError("duplicate key %r in a JSON object" % k)
        seen[k] = v
    return seen


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_text(c, where, key, text):
    if not isinstance(text, str) or not text.strip():
        c.err("%s: %s must be a non-empty string" % (where, key))
        return
    if text != text.strip() or "  " in text or "\n" in text:
        c.err("%s: %s has stray whitespace" % (where, key))
    if key.endswith("_ja"):
        if not JA_RE.search(text):
            c.err("%s: %s contains no Japanese text" % (where, key))
        if not text.endswith("。"):
            c.err("%s: %s must end with 。" % (where, key))
        n = text.count("。")
        if n > 2:
            c.err("%s: %s has %d sentences (1-2 allowed)" % (where, key, n))
        if key == "question_ja" and not text.endswith("か。"):
            c.err("%s: question_ja must be a yes/no question ending in か。" % where)
    else:
        if JA_RE.search(text):
            c.err("%s: %s contains Japanese characters" % (where, key))
        if "　" in text:
            c.err("%s: %s contains a full-width space" % (where, key))
        n = len(EN_SENTENCE_END.findall(text))
        if n < 1 or n > 2:
            c.err("%s: %s has %d sentences (1-2 allowed)" % (where, key, n))
        if key == "question_en" and not (text.endswith("?") and text[0].isupper()):
            c.err("%s: question_en must be a question starting with a capital and ending in ?"
                  % where)
        if key == "measure_en" and not text.endswith("."):
            c.err("%s: measure_en must end with a full stop" % where)


def check(path):
    c = Checker()
    try:
        raw = path.read_bytes()
    except OSError as e:
        c.err("cannot read %s: %s" % (path, e))
        return c, None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        c.err("file is not valid UTF-8: %s" % e)
        return c, None
    if text.startswith("\ufeff"):
        c.err("file starts with a byte-order mark")
        text = text[1:]
    try:
        doc = json.loads(text, object_pairs_hook=no_duplicate_keys)
    except ValueError as e:
        c.err("invalid JSON: %s" % e)
        return c, None
    if not isinstance(doc, dict):
        c.err("top level must be a JSON object")
        return c, None

    # Canonical layout: UTF-8 (no \u escapes), 2-space indent, keys in the given order.
    canonical = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if text != canonical:
        c.err("layout is not canonical (UTF-8 text, 2-space indent, one trailing newline); "
              "regenerate with json.dumps(doc, ensure_ascii=False, indent=2)")

    # ---- header -------------------------------------------------------------------
    if list(doc.keys()) != TOP_KEYS:
        c.err("top-level keys must be %s in this order, found %s" % (TOP_KEYS, list(doc.keys())))
    if doc.get("table") != "questionnaire":
        c.err('"table" must be "questionnaire"')
    if doc.get("edition") != "2026-12":
        c.err('"edition" must be "2026-12"')
    if doc.get("effective_from") != "2026-12-01":
        c.err('"effective_from" must be "2026-12-01"')
    if "effective_to" not in doc or doc["effective_to"] != "2027-03-31":
        c.err('"effective_to" must be "2027-03-31" (edition 2027-04 follows)')
    ac = doc.get("answer_credits")
    if not isinstance(ac, dict) or list(ac.keys()) != list(CREDITS.keys()):
        c.err('"answer_credits" must have keys %s in this order' % list(CREDITS.keys()))
    else:
        for k, v in CREDITS.items():
            if isinstance(ac[k], bool) or not isinstance(ac[k], (int, float)) or ac[k] != v:
                c.err('"answer_credits.%s" must be %s, found %r' % (k, v, ac[k]))

    # ---- domains ------------------------------------------------------------------
    domains = doc.get("domains")
    if not isinstance(domains, list):
        c.err('"domains" must be an array')
        domains = []
    if len(domains) != EXPECTED_DOMAINS:
        c.err("expected %d domains, found %d" % (EXPECTED_DOMAINS, len(domains)))
    dom_keys = Counter()
    for idx, d in enumerate(domains):
        where = "domains[%d]" % idx
        if not isinstance(d, dict):
            c.err("%s must be an object" % where)
            continue
        if list(d.keys()) != DOMAIN_KEYS:
            c.err("%s: keys must be %s in this order, found %s" % (where, DOMAIN_KEYS, list(d.keys())))
        if d.get("number") != idx + 1 or not is_int(d.get("number")):
            c.err("%s: number must be %d, found %r" % (where, idx + 1, d.get("number")))
        key = d.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            c.err("%s: key %r is not a snake_case slug" % (where, key))
        dom_keys[key] += 1
        for k in ("name_ja", "name_en"):
            if not isinstance(d.get(k), str) or not d.get(k).strip():
                c.err("%s: %s must be a non-empty string" % (where, k))
        if isinstance(d.get("name_ja"), str) and not JA_RE.search(d["name_ja"]):
            c.err("%s: name_ja contains no Japanese text" % where)
        if idx < len(DOMAIN_NAME_HINTS) and isinstance(d.get("name_en"), str):
            hint = DOMAIN_NAME_HINTS[idx]
            if hint not in d["name_en"].lower() and hint not in str(key):
                c.err("%s: domain %d must be \"%s\" but name_en is %r"
                      % (where, idx + 1, DOMAIN_MEANINGS[idx], d["name_en"]))
    for k, n in dom_keys.items():
        if n > 1:
            c.err("domain key %r used %d times" % (k, n))
    for k in ("name_ja", "name_en"):
        names = Counter(d.get(k) for d in domains if isinstance(d, dict))
        for name, n in names.items():
            if n > 1:
                c.err("domain %s %r used %d times" % (k, name, n))

    # ---- items --------------------------------------------------------------------
    items = doc.get("items")
    if not isinstance(items, list):
        c.err('"items" must be an array')
        items = []
    if len(items) != EXPECTED_ITEMS:
        c.err("expected %d items, found %d" % (EXPECTED_ITEMS, len(items)))

    per_dom_count = Counter()
    per_dom_points = Counter()
    ids = Counter()
    ipa_used = {}
    texts = {k: {} for k in TEXT_KEYS}
    one_star, two_star, allow_na = [], [], []
    prev = (0, 0)
    total = 0
    for idx, it in enumerate(items):
        where = "items[%d]" % idx
        if not isinstance(it, dict):
            c.err("%s must be an object" % where)
            continue
        iid = it.get("id")
        if isinstance(iid, str):
            where = "item %s" % iid
        keys = list(it.keys())
        unknown = [k for k in keys if k not in ITEM_KEYS]
        if unknown:
            c.err("%s: unknown keys %s" % (where, unknown))
        missing = [k for k in ITEM_KEYS if k not in OPTIONAL_ITEM_KEYS and k not in it]
        if missing:
            c.err("%s: missing keys %s" % (where, missing))
        order = [k for k in ITEM_KEYS if k in it]
        if not unknown and keys != order:
            c.err("%s: keys out of order, expected %s" % (where, order))

        # id, domain, order
        m = ID_RE.match(iid) if isinstance(iid, str) else None
        if not m:
            c.err("%s: id %r does not match Dnn.m" % (where, iid))
        else:
            ids[iid] += 1
            dn, num = int(m.group(1)), int(m.group(2))
            if not 1 <= dn <= EXPECTED_DOMAINS:
                c.err("%s: domain number %d out of range 1..%d" % (where, dn, EXPECTED_DOMAINS))
            if it.get("domain") != dn or not is_int(it.get("domain")):
                c.err("%s: domain is %r but the id says %d" % (where, it.get("domain"), dn))
            pd, pn = prev
            if dn == pd:
                if num != pn + 1:
                    c.err("%s: item number must be %d (consecutive within domain %d)"
                          % (where, pn + 1, dn))
            elif dn == pd + 1:
                if num != 1:
                    c.err("%s: first item of domain %d must be number 1" % (where, dn))
            else:
                c.err("%s: domain %d follows domain %d (domains must appear in order 1..%d, "
                      "none skipped)" % (where, dn, pd, EXPECTED_DOMAINS))
            prev = (dn, num)

        dom = it.get("domain")
        # points
        p = it.get("points")
        if not is_int(p) or p <= 0 or p % 2 != 0:
            c.err("%s: points must be a positive even integer, found %r" % (where, p))
        else:
            total += p
            if is_int(dom):
                per_dom_count[dom] += 1
                per_dom_points[dom] += p

        # optional keys
        if "ipa_no" in it:
            v = it["ipa_no"]
            if not is_int(v) or not 1 <= v <= IPA_MAX:
                c.err("%s: ipa_no must be an integer 1..%d, found %r" % (where, IPA_MAX, v))
            elif v in ipa_used:
                c.err("%s: ipa_no %d already used by %s" % (where, v, ipa_used[v]))
            else:
                ipa_used[v] = iid
        if "allow_na" in it:
            if it["allow_na"] is not True:
                c.err("%s: allow_na must be true or omitted, found %r" % (where, it["allow_na"]))
            else:
                allow_na.append(iid)
        if "security_action" in it:
            sa = it["security_action"]
            if sa == "one_star":
                one_star.append((iid, dom))
            elif sa == "two_star":
                two_star.append((iid, dom))
            else:
                c.err("%s: security_action must be \"one_star\" or \"two_star\", found %r"
                      % (where, sa))
            if "allow_na" in it:
                c.err("%s: an item tagged with security_action must not allow na" % where)

        # texts
        for k in TEXT_KEYS:
            if k in it:
                check_text(c, where, k, it[k])
                t = it[k]
                if isinstance(t, str):
                    if t in texts[k]:
                        c.err("%s: %s duplicates that of %s" % (where, k, texts[k][t]))
                    else:
                        texts[k][t] = iid

    for iid, n in ids.items():
        if n > 1:
            c.err("id %s used %d times" % (iid, n))

    # domain sizes
    for dn in range(1, EXPECTED_DOMAINS + 1):
        n = per_dom_count[dn]
        if not MIN_PER_DOMAIN <= n <= MAX_PER_DOMAIN:
            c.err("domain %d has %d items (must be %d..%d)" % (dn, n, MIN_PER_DOMAIN, MAX_PER_DOMAIN))
    if total != TOTAL_POINTS:
        c.err("points sum to %d, must be exactly %d" % (total, TOTAL_POINTS))

    # SECURITY ACTION tags
    if len(one_star) != len(ONE_STAR_DOMAINS):
        c.err("expected %d one_star items, found %d" % (len(ONE_STAR_DOMAINS), len(one_star)))
    os_domains = sorted(d for _, d in one_star if is_int(d))
    if os_domains != ONE_STAR_DOMAINS:
        c.err("one_star items must be exactly one in each of domains %s, found domains %s"
              % (ONE_STAR_DOMAINS, os_domains))
    if len(two_star) != TWO_STAR_COUNT:
        c.err("expected %d two_star items, found %d" % (TWO_STAR_COUNT, len(two_star)))
    for iid, d in two_star:
        if d not in TWO_STAR_DOMAINS:
            c.err("two_star item %s is in domain %r (must be in %s)" % (iid, d, sorted(TWO_STAR_DOMAINS)))
    if sum(1 for _, d in two_star if d == 15) < TWO_STAR_MIN_IN_15:
        c.err("the basic-policy two_star items (established, published) must be in domain 15")

    if not ALLOW_NA_RANGE[0] <= len(allow_na) <= ALLOW_NA_RANGE[1]:
        c.warn("%d items allow na (guidance: roughly %d-%d)" % (len(allow_na), *ALLOW_NA_RANGE))

    summary = dict(domains=domains, per_dom_count=per_dom_count, per_dom_points=per_dom_points,
                   total=total, n_items=len(items), one_star=one_star, two_star=two_star,
                   allow_na=allow_na, ipa_used=ipa_used)
    return c, summary


def print_summary(path, s):
    print("questionnaire: %s" % path)
    print("%-4s %-32s %5s %6s" % ("dom", "key", "items", "points"))
    for d in s["domains"]:
        if not isinstance(d, dict):
            continue
        n = d.get("number")
        print("%-4s %-32s %5d %6d" % (n, d.get("key"), s["per_dom_count"][n], s["per_dom_points"][n]))
    print("total: %d domains, %d items, %d points"
          % (len(s["domains"]), s["n_items"], s["total"]))
    print("one_star (%d): %s" % (len(s["one_star"]), ", ".join(i for i, _ in s["one_star"])))
    print("two_star (%d): %s" % (len(s["two_star"]), ", ".join(i for i, _ in s["two_star"])))
    print("allow_na (%d): %s" % (len(s["allow_na"]), ", ".join(s["allow_na"])))
    used = s["ipa_used"]
    unused = [n for n in range(1, IPA_MAX + 1) if n not in used]
    print("ipa_no coverage: %d/%d used; unused: %s"
          % (len(used), IPA_MAX, ", ".join(map(str, unused)) if unused else "none"))
    print("  " + ", ".join("%d->%s" % (n, used[n]) for n in sorted(used)))


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1] in ("-h", "--help")):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    path = Path(argv[1]) if len(argv) == 2 else DEFAULT_PATH
    c, summary = check(path)
    if summary is not None:
        print_summary(path, summary)
    for w in c.warnings:
        print("WARNING: %s" % w)
    if c.errors:
        print("FAILED: %d violation(s):" % len(c.errors), file=sys.stderr)
        for e in c.errors:
            print("  - %s" % e, file=sys.stderr)
        return 1
    print("OK: all questionnaire invariants hold")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
