"""People named in the text, without a gazetteer: capitalised names in a person's context.

A candidate is a run of capitalised words; it is kept when the text treats it as a person (a title
such as "President", a role before it, an appositive after it, a verb of persons, "who"), and
dropped when its words name an organisation, a place or an event ("Party", "Island", "Forward").
Spelling variants are clustered with rapidfuzz.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from booktool.draft.sentences import split_sentences
from booktool.draft.words import LOWER, STOPWORDS, UPPER, is_verb_like, word_set

_TOKEN = (
    rf"(?:(?:[{UPPER}]|Dr|Mr|Mrs|Ms|Gen|Prof|Capt|Col|Lt|Sgt|Maj|Gov|Sen|Rev|Jr|Sr|St)\.(?![^\W\d_])|"
    rf"[{UPPER}][{LOWER}]+(?:[{UPPER}][{LOWER}]+)?(?:['’-](?!s\b)[{UPPER}]?[{LOWER}]+)*)"
)
_PARTICLE = r"(?:von|van|de|de'|de’|d'|da|del|della|der|den|di|du|dos|das|bin|ibn|al|le|la)"
_REGNAL = r"(?:\s+(?:I{1,3}|IV|V|VI{1,3}|IX|X|XI{1,3}|XIV|XV|XVI)\b(?!\.\w))?"
_NAME = re.compile(rf"\b{_TOKEN}(?:\s+(?:{_PARTICLE}\s+)?{_TOKEN})*{_REGNAL}")
_TITLES = {
    "president": "president", "dr.": None, "dr": None, "doctor": None, "general": "general",
    "gen.": "general", "chairman": "chairman", "premier": "premier", "senator": "senator",
    "professor": "professor", "prof.": "professor", "mr.": None, "mr": None, "mrs.": None,
    "mrs": None, "ms.": None, "ms": None, "sir": None, "king": "king", "queen": "queen",
    "emperor": "emperor", "captain": "captain", "capt.": "captain", "colonel": "colonel",
    "lieutenant": "lieutenant", "governor": "governor", "secretary": "secretary",
    "minister": "minister", "pope": "pope", "commander": "commander", "admiral": "admiral",
    "chancellor": "chancellor", "judge": "judge", "mayor": "mayor", "prince": "prince",
    "princess": "princess", "lord": None, "lady": None, "chief": "chief", "major": "major",
    "sergeant": "sergeant", "corporal": "corporal", "marshal": "marshal",
    "brigadier": "brigadier", "commodore": "commodore", "maj.": "major", "sgt.": "sergeant",
}  # fmt: skip
_NOT_NAMES = word_set(
    """party forward leap island islands republic university college school institute river union
    war wars revolution valley ocean sea bay dam act administration program programme project canal
    reef service agency council committee army navy force corps company corporation museum church
    kingdom empire states state mountains mountain mount lake desert plains plain basin canyon city
    county province street park station plant reactor center centre commission congress senate
    court treaty conference bowl depression famine plan deal day festival agreement accord pact
    bureau department ministry office authority association society foundation fund bank times post
    news press coast gulf strait peninsula region zone territory cape harbor harbour port airport
    highway bridge tower building hall square castle palace prison camp movement campaign crisis
    rebellion uprising massacre olympics games cup prize award mission module rocket space moon
    earth sun god bible constitution declaration amendment law commune communes guard police
    trust survey laboratory observatory hospital reserve sanctuary forest falls creek springs hills
    hill ridge glacier delta continent channel north south east west northern southern eastern
    western central upper lower great greater soviet chinese american communist communists
    british french german russian japanese european african asian australian
    ukrainian indian mexican spanish english italian panamanian colombian christian catholic
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december northeast northwest southeast southwest
    international national federal royal imperial democratic people's people peoples apollo saturn
    gemini mercury challenger columbia titanic internet wikipedia youtube mars venus jupiter
    pacific atlantic arctic antarctic world st death plague pandemic epidemic disaster flood
    fire storm earthquake tsunami drought rush boom crash panic affair incident scandal trial
    expedition voyage race era age period dynasty horde road route trail new san santa los las
    hong sri saudi costa puerto fort port lake cape gulf"""
)
_LEADING = word_set(
    """the a an in on at this that these those despite after before when while however although
    even his her their its our as by for from with without during under over only many some most
    both each every all it he she they we there here eventually finally meanwhile today later then
    yet so but and or if because since until unlike like according among between through once
    following within around across into toward towards soon also still instead thus hence not
    what where why how who dear young old"""
)
_ROLE_NOUN = (
    r"(?:[a-z]+(?:ist|ian|naut)|astronomer|philosopher|pastor|preacher|rabbi|imam|volunteer|settler|colonist|pioneer|missionary|girl|boy|man|woman|child|cook|servant|"
    r"slave|peasant|miner|sailor|merchant|trader|nun|hunter|fisherman|villager|prisoner|"
    r"patient|victim|orphan|leader|president|crew|daughter|son|wife|husband|brother|sister|mother|father|"
    r"uncle|nephew|niece|cousin|widow|chronicler|monk|priest|bishop|chairman|premier|minister|secretary|general|engineer|scientist|"
    r"biologist|historian|journalist|director|chief|official|officer|commander|astronaut|pilot|"
    r"physicist|chemist|geologist|ecologist|farmer|senator|governor|king|queen|emperor|author|"
    r"writer|photographer|reporter|researcher|professor|doctor|explorer|inventor|architect|"
    r"economist|activist|survivor|witness|operator|worker|head|founder|diplomat|dictator|"
    r"general|admiral|manager|administrator|administrator|designer|builder|geographer|"
    r"oceanographer|meteorologist|climatologist|botanist|zoologist|naturalist|photographer|"
    r"filmmaker|poet|novelist|teacher|student|surgeon|physician|nurse|soldier|colonel|captain|"
    r"consul|ambassador|envoy|mayor|judge|lawyer|spokesman|spokeswoman|advisor|adviser|expert)"
)
_PERSON_VERB = re.compile(
    r"^(?:'s\s+|’s\s+)?(?:,\s+who\s+|\s+(?:who\s+)?)(?:(?:still|also|then|later|never|himself|"
    r"herself|personally|once|even|soon|quickly|finally|had|has|was|is|would|could)\s+)*"
    r"(?:said|says|explained|explains|believed|believes|argued|argues|wrote|writes|died|dies|"
    r"was\s+born|told|tells|asked|asks|realized|realised|realizes|met|meets|married|stated|"
    r"noted|recalled|recalls|insisted|contradicted|wanted|wants|tried|hoped|feared|judged|"
    r"resigned|admitted|testified|spoke|studied|thought|knew|felt|remembers|remembered|recounts|"
    r"recounted|describes|described|fears|hopes|promised|promises|persuaded|convinced|"
    r"himself|herself)\b",
    re.IGNORECASE,
)
# Verbs that countries, companies and agencies take as readily as people: weaker evidence.
_AGENT_VERB = re.compile(
    r"^(?:'s\s+|’s\s+)?(?:,\s+who\s+|\s+(?:who\s+)?)(?:(?:still|also|then|later|never|once|"
    r"even|soon|quickly|finally|had|has|was|is|would|could)\s+)*"
    r"(?:warned|warns|ordered|orders|decided|decides|discovered|discovers|went|goes|signed|"
    r"signs|declared|declares|announced|announces|founded|invented|proposed|urged|urges|claimed|"
    r"claims|ignored|demanded|demands|estimated|estimates|launched|visited|refused|travel+ed|"
    r"returned|appointed|pushed|championed|led\s+the|took\s+advantage|made|gave|built)\b",
    re.IGNORECASE,
)
# "researchers such as Arthur Middleton", "historians including …"
_SUCH_AS = re.compile(
    r"\b(?:[a-z]+(?:ists|ers|ians|ors|ants|ents|nauts)\s*,?\s+(?:such\s+as|including|like)|"
    r"among\s+them|among\s+whom)\s+$"
)
# Short forms of given names ("Bill Ripple" is "William Ripple").
_NICKNAMES = {
    "bill": "william", "will": "william", "bob": "robert", "rob": "robert", "jim": "james",
    "jimmy": "james", "mike": "michael", "tom": "thomas", "dick": "richard", "rick": "richard",
    "ted": "edward", "ed": "edward", "jack": "john", "joe": "joseph", "dan": "daniel",
    "dave": "david", "tony": "anthony", "nick": "nicholas", "chris": "christopher",
    "steve": "stephen", "sam": "samuel", "ben": "benjamin", "andy": "andrew", "alex": "alexander",
    "liz": "elizabeth", "beth": "elizabeth", "kate": "katherine", "katie": "katherine",
    "peggy": "margaret", "meg": "margaret", "sue": "susan", "pete": "peter", "charlie": "charles",
    "chuck": "charles", "larry": "lawrence", "harry": "henry", "hank": "henry", "fred": "frederick",
    "matt": "matthew", "greg": "gregory", "jerry": "gerald", "ron": "ronald", "don": "donald",
    "doug": "douglas", "frank": "francis", "jon": "jonathan", "tim": "timothy", "walt": "walter",
}  # fmt: skip
_OBJECT_VERB = re.compile(
    r"\b(?:ask|asked|asking|met|meet|meeting|told|tell|succeeded|replaced|elected|appointed|"
    r"persuaded|convinced|interviewed|married|earned|awarded|honou?red|congratulated|thanked|"
    r"arrested|executed|murdered|assassinated)\s+$",
    re.IGNORECASE,
)
_WEAK_OBJECT_VERB = re.compile(
    r"\b(?:warned|warn|joined|visited\s+by|led\s+by|according\s+to|advised|urged|ordered\s+by|"
    r"signed\s+by|praised|criticized|criticised|blamed|accused|killed)\s+$",
    re.IGNORECASE,
)
_PERSON_NOUN_AFTER = re.compile(
    r"^(?:'s|’s)\s+(?:own\s+)?(?:arrest|death|wife|husband|son|daughter|father|mother|friends?|"
    r"family|birth|life|leadership|advice|warnings?|speech|orders?|decision|government|"
    r"administration|successor|predecessor|memoir|diary|book|letter|career|presidency)\b",
    re.IGNORECASE,
)
# "Bocaccio set his book", "Jim Lovel and his crew": a person's pronoun right after the name.
_HIS_HER = re.compile(r"^\s+(?:and\s+|[a-z]+\s+)?(?:his|her|himself|herself)\b")
_PLACE_BEFORE = re.compile(
    r"\b(?:in|at|to|from|near|into|across|outside|around|toward|towards|throughout|of|the\s+city\s+of|"
    r"the\s+town\s+of|the\s+village\s+of|the\s+region\s+of|the\s+book|the\s+ship|operation|"
    r"the\s+film|the\s+novel|the\s+report)\s+$",
    re.IGNORECASE,
)
_APPOSITIVE = re.compile(
    r"^,\s+(?:a|an|the|[A-Z][\w.]*['’]s)\s+(?P<role>[A-Za-z][^,.;()]{2,70}?)"
    r"(?=,|\.|;|\s+who\b|\s+that\b|$)"
)
# "Ken Brugger and Catalina Aguado, volunteers working for …": a plural role after a list.
_PLURAL_APPOSITIVE = re.compile(r"^,\s+(?P<role>[a-z]+s)\b")
_WHO_BECAME = re.compile(
    r"^,\s+who\s+(?:became|was|served\s+as|is)\s+(?:the\s+|a\s+|an\s+)?"
    r"(?P<role>[a-z][a-z -]{2,40}?)(?:\s+(?:in|from)\s+(?P<year>\d{4}))?(?=,|\.|;|\s+and\b)"
)


@dataclass
class _Form:
    """One spelling as written, with the evidence the text gives for it."""

    name: str
    tokens: list[str]
    count: int = 0
    cues: int = 0
    weak_cues: int = 0
    place_cues: int = 0
    first: int = 0
    roles: list[str] = field(default_factory=list)
    segments: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Person:
    """A person: the chosen name, the other spellings, and where they are named."""

    name: str
    role: str | None
    variants: list[str]
    uncertain_spelling: bool
    segments: list[int]


def _norm(name: str) -> str:
    return re.sub(r"[\W\d_]", "", name.lower())


def _core_tokens(tokens: list[str]) -> list[str]:
    """The tokens without initials ("Franklin D. Roosevelt" → Franklin, Roosevelt)."""
    return [t for t in tokens if not re.fullmatch(rf"[{UPPER}]\.", t)]


def _candidates(sentence: str) -> list[tuple[str, list[str], int, int, str | None]]:
    """(name, tokens, start, end, title role) for each capitalised run of a sentence."""
    found = []
    for match in _NAME.finditer(sentence):
        tokens = match.group(0).split()
        start = match.start()
        title_role: str | None = None
        has_title = False
        while tokens:
            lowered = tokens[0].lower()
            at_start = start == 0 or sentence[:start].rstrip().endswith(('"', "“"))
            if lowered in _TITLES:
                title_role = _TITLES[lowered] or title_role
                has_title = True
            elif (
                len(tokens) > 1
                and re.fullmatch(_ROLE_NOUN + "s?", lowered)
                and (at_start or not re.fullmatch(r"[a-z]+(?:ist|ian|naut)s?", lowered))
            ):
                # "Astronauts Gus Grissom …" opening a sentence; but "Brian Schmidt" is a name.
                title_role = lowered.removesuffix("s") if lowered.endswith("ts") else lowered
                has_title = True
            elif not (lowered in _LEADING or (at_start and lowered in STOPWORDS)):
                break
            start += len(tokens[0]) + 1
            start = sentence.index(tokens[1], start - 1) if len(tokens) > 1 else start
            tokens = tokens[1:]
        while tokens and tokens[-1].endswith(".") and len(tokens[-1]) <= 4:
            tokens = tokens[:-1]
        if not tokens or any(t.lower().strip(".") in _NOT_NAMES for t in tokens):
            continue
        if len(tokens) == 1 and re.search(r"(?:ans|ese|ists?|ites)$", tokens[0]):
            continue  # "Americans", "Chinese", "Maoists": peoples and followers, not persons
        end = start + len(" ".join(tokens))
        name = " ".join(tokens)
        found.append((name, tokens, start, end, (title_role or "") if has_title else None))
    return found


def _role_before(before: str) -> str | None:
    words = before.rstrip().split()
    if not words or not re.fullmatch(_ROLE_NOUN + "s?", words[-1]):
        return None
    role = [words[-1].removesuffix("s") if words[-1].endswith("ts") else words[-1]]
    for word in reversed(words[:-1][-3:]):
        bare = word.strip(",;:")
        if bare != word or bare.lower() in STOPWORDS or not bare.isalpha():
            break
        role.insert(0, bare)
        if bare[:1].isupper():
            break
    return " ".join(role)


def find_people(texts: Sequence[tuple[int, str]]) -> list[Person]:
    """The people of ``texts`` (segment index, text; -1 for the summary), in order of appearance."""
    forms: dict[str, _Form] = {}
    order = 0
    for segment, text in texts:
        for sentence in split_sentences(text):
            # A list of names ("Gus Grissom, Ed White and Roger Chaffee died"): a person's cue
            # for one member is a cue for the others.
            members: list[tuple[_Form, int, int]] = []
            previous_end = -1
            for name, tokens, start, end, title_role in _candidates(sentence):
                order += 1
                form = forms.setdefault(name, _Form(name, tokens, first=order))
                form.count += 1
                if segment >= 0:
                    form.segments.add(segment)
                before, after = sentence[:start], sentence[end:]
                cues, weak = form.cues, form.weak_cues
                _weigh(form, before, after, title_role)
                joined = previous_end >= 0 and re.fullmatch(
                    r",?\s+(?:and\s+)?", sentence[previous_end:start]
                )
                if not joined:
                    _share_cues(members)
                    members = []
                members.append((form, form.cues - cues, form.weak_cues - weak))
                previous_end = end
            _share_cues(members)
    people = []
    for cluster in _clusters(list(forms.values())):
        if _accepted(cluster):
            people.append(_person(cluster))
    people.sort(key=lambda p: min(forms[n].first for n in [p.name, *p.variants] if n in forms))
    return people


def _share_cues(members: list[tuple[_Form, int, int]]) -> None:
    """Members of a list of names share the strongest cue one of them had in the sentence."""
    if len(members) < 2:
        return
    strong = any(gained for _, gained, _ in members)
    weak = any(gained for _, _, gained in members)
    for form, gained, weak_gained in members:
        if strong and not gained:
            form.cues += 1
        elif weak and not gained and not weak_gained:
            form.weak_cues += 1


def _weigh(form: _Form, before: str, after: str, title_role: str | None) -> None:
    role = None
    if title_role is not None:
        form.cues += 2
        role = title_role or None
    before_role = _role_before(before)
    if before_role:
        form.cues += 2
        role = before_role
    who = _WHO_BECAME.match(after)
    appositive = _APPOSITIVE.match(after)
    if who:
        form.cues += 2
        role = who.group("role") + (f" from {who.group('year')}" if who.group("year") else "")
    elif appositive and re.search(rf"\b{_ROLE_NOUN}s?\b", appositive.group("role")):
        form.cues += 2
        role = _trim_role(appositive.group("role"))
    else:
        plural = _PLURAL_APPOSITIVE.match(after)
        if plural and re.fullmatch(_ROLE_NOUN + "s", plural.group("role")):
            form.cues += 2
    if _PERSON_VERB.match(after) or _PERSON_NOUN_AFTER.match(after) or _HIS_HER.match(after):
        form.cues += 1
    elif _AGENT_VERB.match(after):
        form.weak_cues += 1
    elif len(form.tokens) > 1:
        next_word = re.match(r"\s+(\w+)", after)
        if next_word and is_verb_like(next_word.group(1)):
            form.weak_cues += 1
    if _OBJECT_VERB.search(before) or _SUCH_AS.search(before):
        form.cues += 1
    elif _WEAK_OBJECT_VERB.search(before):
        form.weak_cues += 1
    if _PLACE_BEFORE.search(before) and not title_role and not role:
        form.place_cues += 1
    if role:
        form.roles.append(role)


def _trim_role(role: str) -> str:
    """At most eight words, ending before a participle ("doctor working in Hong Kong")."""
    words = role.split()[:8]
    for index, word in enumerate(words[1:], start=1):
        if word.endswith("ing") and word.islower():
            return " ".join(words[:index])
    return " ".join(words)


def _given(token: str) -> str:
    lowered = token.lower()
    return _NICKNAMES.get(lowered, lowered)


def _linked(a: _Form, b: _Form) -> bool:
    core_a, core_b = _core_tokens(a.tokens), _core_tokens(b.tokens)
    if (
        len(core_a) == len(core_b) == 2
        and core_a[1] == core_b[1]
        and _given(core_a[0]) == _given(core_b[0])
    ):
        return True
    if (len(core_a) > 1 and len(core_b) > 1) or len(core_a) == len(core_b):
        return fuzz.ratio(_norm(a.name), _norm(b.name)) >= 80
    short, long = (core_a, core_b) if len(core_a) < len(core_b) else (core_b, core_a)
    return all(any(fuzz.ratio(s.lower(), t.lower()) >= 85 for t in long) for s in short)


def _clusters(forms: list[_Form]) -> list[list[_Form]]:
    parent = list(range(len(forms)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    multi = [i for i, f in enumerate(forms) if len(_core_tokens(f.tokens)) > 1]
    for i, a in enumerate(forms):
        for j in range(i + 1, len(forms)):
            b = forms[j]
            if len(_core_tokens(a.tokens)) == 1 and len(_core_tokens(b.tokens)) > 1:
                continue
            if len(_core_tokens(b.tokens)) == 1 and len(_core_tokens(a.tokens)) > 1:
                continue
            if _linked(a, b):
                parent[root(i)] = root(j)
    full_names: dict[int, list[_Form]] = {}
    for j in multi:
        full_names.setdefault(root(j), []).append(forms[j])
    people = {r for r, group in full_names.items() if _accepted(group)}
    for i, form in enumerate(forms):
        if len(_core_tokens(form.tokens)) != 1:
            continue
        # "Khrushchev" joins "Nikita Khrushchev"; a look-alike ("Bocaccio") joins only when the
        # text treats it as a person too ("Yersinia" is a bacterium, not "Alexandre Yersin").
        # Only full names that are people host it ("Hubble" joins "Edwin Hubble", not the
        # "Hubble Deep Field").
        hosts = {
            root(j)
            for j in multi
            if root(j) in people
            and _linked(form, forms[j])
            and (form.tokens[0] in forms[j].tokens or form.cues > 0)
        }
        if len(hosts) == 1:
            parent[root(i)] = hosts.pop()
    groups: dict[int, list[_Form]] = {}
    for i, form in enumerate(forms):
        groups.setdefault(root(i), []).append(form)
    return sorted(groups.values(), key=lambda g: min(f.first for f in g))


def _accepted(cluster: list[_Form]) -> bool:
    """Whether the text treats a cluster as a person: a strong cue (a title, a role, "who", a
    verb of persons), or for a full name, weaker ones met more than once."""
    cues = sum(f.cues for f in cluster)
    weak = sum(f.weak_cues for f in cluster)
    places = sum(f.place_cues for f in cluster)
    count = sum(f.count for f in cluster)
    person_like = cues + weak > places
    if any(len(_core_tokens(f.tokens)) > 1 for f in cluster):
        return (cues >= 1 and person_like) or (weak >= 1 and places == 0)
    # One word ("Mao", "Stalin", "Germany") needs a strong cue and more than one mention.
    return cues >= 1 and person_like and (count >= 2 or cues >= 2)


def _subset(short: _Form, long: _Form) -> bool:
    core_short, core_long = _core_tokens(short.tokens), _core_tokens(long.tokens)
    return len(short.tokens) < len(long.tokens) and all(t in core_long for t in core_short)


def _person(cluster: list[_Form]) -> Person:
    def weight(form: _Form) -> tuple[int, int, int, int]:
        covered = form.count + sum(o.count for o in cluster if _subset(o, form))
        return (covered, len(form.tokens), len(form.name), -form.first)

    chosen = max(cluster, key=weight)
    variants = [
        f.name
        for f in sorted(cluster, key=lambda f: f.first)
        if f is not chosen
        and not _subset(chosen, f)
        and (not _subset(f, chosen) or len(_core_tokens(f.tokens)) > 1)
    ]
    uncertain = any(
        not (_subset(a, b) or _subset(b, a))
        for i, a in enumerate(cluster)
        for b in cluster[i + 1 :]
    )
    roles = [r for f in sorted(cluster, key=lambda f: f.first) for r in f.roles]
    segments = sorted({s for f in cluster for s in f.segments})
    return Person(chosen.name, roles[0] if roles else None, variants, uncertain, segments)
