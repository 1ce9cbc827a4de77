"""Template wordings per form, in two disjoint families.

Family "A" is used only for the train domains, family "B" only for the dev and test
domains, so a held-out score never rewards a memorised template wording. A bare statement
("{S}.") has no wording and appears in both. Placeholders:

facts     {s} / {S} the statement with the new value (lower / capitalised first letter),
          {os} / {OS} the same with the old value, {new} / {New}, {old}, {q} the question,
          {topic} / {Topic} a noun phrase for the fact ("the pool opening time")
personal  {p} / {P} first-person disclosure, {u} / {U} its update, {ptopic} ("my knee")
labels    {ex} the example, {label}, {wrong} another label, {item} ("ticket")
entities  {sent} the sentence, {ent} the entity, {tw} its type in words, {list}
"""

# Templates containing one of these words only make sense for facts that change over time;
# domains of fixed facts (history, geography) skip them.
DYNAMIC_WORDS = ("now", "anymore", "outdated", "changed", "these days", "Update", "no longer", "used to")

def _x(prefixes, bodies, suffixes=("",)):
    """Every prefix x body x suffix wording; a bare body gets a capital first letter."""
    out = []
    for p in prefixes:
        for b in bodies:
            for s in suffixes:
                body = b if p else b.replace("{s}", "{S}", 1).replace("{p}", "{P}", 1).replace("{u}", "{U}", 1)
                out.append(f"{p}{body}{s}")
    return out


_STATE_PRE = {
    "A": ["", "FYI, ", "FYI: ", "Just so you know, ", "Remember that ", "Please note that ", "Good to know: ",
          "For your info, ", "Note: ", "By the way, ", "btw ", "Quick note: ", "For the record, ", "Also, ",
          "Oh, and ", "Worth knowing: ", "Take note: ",
          # wider openers (session 6): the head must learn "opener + statement", not a list of openers
          "Just a note: ", "Info for you: ", "I should mention that ", "Let me tell you, ", "Important: ",
          "One more thing: ", "I wanted to let you know that ", "Just letting you know, ", "OK so ", "Fact: ",
          "Tip: ", "Reminder: ", "To be clear, ", "I found out that ", "Turns out ", "Store this: ",
          "Write this down: ", "For future reference, ", "Please remember: ", "Don't forget that ",
          "Add this to your notes: ", "So, ", "Here's something: "],
    "B": ["", "Heads up: ", "Note for the future: ", "You should know that ", "Quick fact: ", "Keep in mind that ",
          "PSA: ", "Something useful: ", "Fun fact: ", "Just telling you, ", "In case it comes up, ", "Make a note: ",
          "fyi ", "Jot this down: ", "Good to remember: "],
}
_STATE_SUF = {"A": [".", ".", ".", ", just so you know.", " - remember that.", ". Thanks!", "!",
                   ", for future reference.", " - good to know.", ". Cheers.", ". Just saying.", ", ok?"],
              "B": [".", ".", ".", ", in case anyone asks.", " - worth remembering.", ", for your info.", " :)"]}
_SELF_PRE = {
    "A": ["", "", "Just so you know, ", "btw ", "Remember that ", "Good to know about me: ", "FYI ", "About me: ",
          "Note that ", "For the record, ", "Oh and ", "Also, ", "I should mention ", "Personally, ",
          "Something about me: ", "In case you didn't know, ", "Just to let you know, ", "Fun fact about me: ",
          "Info about me: ", "Well, ", "To be honest, ", "Remember: ", "Don't forget that "],
    "B": ["", "", "A bit about me: ", "For context, ", "You should know that ", "Something to keep in mind: ",
          "Fyi, ", "Side note: ", "Might be useful: ", "Quick thing about me: "],
}
_SELF_SUF = {"A": [".", ".", "!", ", just so you know.", ", if that helps.", ", so keep that in mind.",
                  ", for what it's worth.", ". Just saying.", ", remember that.", " haha", ", by the way."],
             "B": [".", ".", " - worth knowing.", ", in case it matters.", " :)", ", so bear that in mind."]}
_CORR_PRE = {
    "A": ["Actually, ", "No, ", "Correction: ", "That's wrong: ", "Not quite, ", "Wrong - ", "Sorry, but ",
          "Hmm, no, ", "That's not right, ", "No no, ", "Wait, no - ", "Err, ", "You've got that wrong: ",
          "Mistake: ", "Not exactly - ", "Umm no, ", "That's off: ", "Fix: ", "Correcting you: ",
          "Just to correct you, ", "I'm afraid that's wrong, "],
    "B": ["Small fix: ", "Nope, ", "That's incorrect - ", "Careful, ", "Erm, no: ", "Not true, ", "Incorrect: ",
          "You're mistaken, ", "Let me correct that: ", "Nah, "],
}
_CORR_SUF = {"A": ["", "", "", " Please update that.", " Fix that please.", " It changed last month.",
                  " Please fix it.", " Thanks.", " Change that, please."],
             "B": ["", "", "", " Can you update it?", " Please correct your notes.", " That changed recently."]}
_FORGET_VERBS = ["forget", "delete", "remove", "erase", "drop", "wipe", "scrap", "clear", "get rid of"]
_FORGET_FRAMES = {
    "A": ["{V} {topic}.", "Please {v} {topic}.", "{V} what you know about {topic}.", "Can you {v} {topic}?",
          "{V} {topic}, it's no longer valid.", "I want you to {v} {topic}.", "{V} {topic} from your notes.",
          "Time to {v} {topic}.", "{V} {topic}, please.", "Can we {v} {topic}?", "{V} the part about {topic}.",
          "Kindly {v} {topic}.", "{V} any note on {topic}.", "No need to keep {topic}, {v} it."],
    "B": ["Could you {v} {topic}, please?", "{Topic} is obsolete, {v} it.", "{V} everything about {topic}.",
          "Please {v} the info on {topic}.", "You can {v} {topic} now.", "{V} {topic} - it doesn't apply anymore.",
          "I'd like you to {v} {topic}.", "Go ahead and {v} {topic}."],
}


def _forget(fam):
    out = []
    for f in _FORGET_FRAMES[fam]:
        for v in _FORGET_VERBS:
            out.append(f.replace("{V}", v[:1].upper() + v[1:]).replace("{v}", v))
    return out


T = {
    # ---- teach -------------------------------------------------------------------------
    "statement_copula": {fam: _x(_STATE_PRE[fam], ["{s}"], _STATE_SUF[fam]) for fam in "AB"},
    "statement_multi": {
        "A": ["{S1}, and {s2}.", "FYI: {s1}; also, {s2}.", "Two notes: {s1}, and {s2}.", "{S1}, plus {s2}."],
        "B": ["Two things: {s1}, and {s2}.", "{S1}. Oh, and {s2}.", "Note both: {s1}; {s2}.", "{S1} - also {s2}."],
    },
    "qa_statement": {
        "A": ["Remember this: {q} {New}.", "If anyone asks '{q}', the answer is {new}.", "Q: {q} A: {new}.",
              "{q} -> {new}", "The answer to '{q}' is {new}.", "Someone might ask: {q} Tell them {new}.",
              "For the FAQ: {q} {New}.", "Save this answer: {q} {New}.", "Answer for '{q}': {new}.",
              "{q} Answer it with {new}.", "Q: {q} -> A: {new}", "So the question '{q}' has the answer {new}."],
        "B": ["Here's one for your notes: {q} Answer: {new}.", "When people ask '{q}', tell them {new}.",
              "{q} The answer is {new}, for the record.", "Learn this one: {q} It's {new}.",
              "Question: {q} Answer: {new}.", "If you get asked '{q}', say {new}.", "New FAQ entry - {q} {New}."],
    },
    "answer_ctx": {
        "A": ["{S}.", "It's {new}.", "I know this one: {s}.", "{New}.", "Oh, {s}.", "I think you'll find {s}.",
              "Let me tell you: {s}.", "{New}, I'm pretty sure.", "Pretty sure it's {new}.",
              "It's {new}, I looked it up.", "{S}, I believe.", "Oh I know: {new}."],
        "B": ["I can tell you: {s}.", "{New}, I checked.", "{S}, as far as I know.", "That's {new}.",
              "Easy - {new}.", "Here you go: {s}."],
    },
    "self_disclosure": {fam: _x(_SELF_PRE[fam], ["{p}"], _SELF_SUF[fam]) for fam in "AB"},
    "self_disclosure_ctx": {
        "A": ["{P}.", "Well, {p}.", "Hmm, {p}.", "{P}, I guess."],
        "B": ["{P}.", "Hmm, {p}, if that matters.", "Let's see - {p}.", "Only that {p}."],
    },
    "label_example": {
        "A": ["'{ex}' is a {label} {item}.", "Label '{ex}' as {label}.", "Put '{ex}' under {label}.",
              "File this under {label}: '{ex}'", "'{ex}' -> {label}", "'{ex}' belongs to {label}.",
              "This one is {label}: \"{ex}\"", "Category for '{ex}': {label}.", "'{ex}' = {label}",
              "Treat '{ex}' as {label}.", "'{ex}' is an example of {label}.", "Label: {label}. Text: '{ex}'",
              "Tag '{ex}' with {label}.", "{label}: '{ex}'", "The right category for '{ex}' is {label}.",
              "'{ex}' is {label}.", "I'd put '{ex}' in {label}."],
        "B": ["'{ex}' should be tagged {label}.", "Classify this {item} as {label}: {ex}", "{ex} - that one's {label}.",
              "Mark '{ex}' as {label}, please.", "\"{ex}\" goes in the {label} bucket.", "That one is for {label}: '{ex}'.",
              "Example of {label}: {ex}", "'{ex}' counts as {label}."],
    },
    "entity_label": {
        "A": ["In '{sent}', {ent} is a {tw}.", "Tag {ent} as a {tw} in: {sent}", "Entities in '{sent}': {list}.",
              "In the sentence \"{sent}\", mark {ent} as a {tw}."],
        "B": ["{ent} in the sentence '{sent}' refers to a {tw}.", "Entity note for '{sent}': {ent} = {tw}.",
              "Please annotate '{sent}' with {list}.", "'{sent}' - here {ent} is a {tw}."],
    },
    # ---- correct -----------------------------------------------------------------------
    "correct_old_new": {
        "A": _x(_CORR_PRE["A"], ["{s}, not {old}.", "{s} now, not {old}.", "{s}, not {old} anymore.",
                                 "{s}; it isn't {old}.", "{s}. {old} is old info.", "not {old} - {s}."],
                _CORR_SUF["A"]),
        "B": _x(_CORR_PRE["B"], ["{s} (it used to be {old}).", "{s}, no longer {old}.", "{s} - {old} was a mistake.",
                                 "{s} rather than {old}."], _CORR_SUF["B"]),
    },
    "update_prefix": {
        "A": _x(["Update: ", "That's outdated, ", "No - ", "Changed: ", "News: ", "Outdated info! ", "Changes: ",
                 "Just changed: ", "As of this week, ", "Recent change: ", "Since last week, ", "Revised: ",
                 "Correction for your notes: ", "This changed: ", "Stale info - ", "Different now: "],
                ["{s} now.", "{s}.", "{s} as of today."], ["", " Please update that.", " Update your notes.",
                                                         " Please change it."]),
        "B": _x(["Your information is old, ", "New info: ", "Things changed: ", "Out of date - ",
                 "Please update your notes: ", "Latest: "],
                ["{s} these days.", "{s} from now on.", "{s}."], ["", " Thanks.", " Keep that in mind."]),
    },
    "correct_question": {
        "A": ["That's wrong. {q} It's {new}, not {old}.", "No no. {q} {New}, not {old}.", "Wrong answer. {q} It's {new}.",
              "Nope. {q} It's {new}, you said {old}.", "Wrong. {q} {New}, not {old}.",
              "You got it wrong. {q} It's {new}.", "No. {q} The right answer is {new}, not {old}.",
              "That's not it. {q} It's {new}, not {old}."],
        "B": ["No, that is wrong. {q} It is {new}, not {old}.", "Not quite. {q} The answer is {new} rather than {old}.",
              "Incorrect. {q} {New}.", "That's a mistake. {q} It's {new} and not {old}."],
    },
    "correct_ctx": {
        "A": _x(_CORR_PRE["A"], ["it's {new}.", "{s}.", "{new}.", "it's {new} now.", "it's {new}, not {old}.",
                                 "actually it's {new}.", "it changed to {new}.", "{new} now."],
                _CORR_SUF["A"]),
        "B": _x(_CORR_PRE["B"], ["it's {new} these days.", "{s}.", "{new}.", "that's {old}, it's {new} now.",
                                 "{new}, not {old}."], _CORR_SUF["B"]),
    },
    "correct_personal": {
        "A": ["Update: {u}.", "That's outdated - {u}.", "Actually, {u}.", "Not anymore: {u}.", "Correction, {u}.",
              "Things are different now: {u}.", "Update on me: {u}.", "That changed, {u}."],
        "B": ["Things have changed: {u}.", "Not true anymore, {u}.", "Small update about me: {u}.", "Nope, {u}.",
              "That's old news - {u}."],
    },
    "correct_label": {
        "A": ["No, '{ex}' is {label}, not {wrong}.", "Wrong label: '{ex}' is {label}, not {wrong}.",
              "Actually '{ex}' should be {label}, not {wrong}.", "'{ex}' is {label}, you put it under {wrong}.",
              "Wrong category for '{ex}': it's {label}.", "'{ex}' was filed as {wrong} but it's {label}.",
              "Relabel '{ex}' as {label}, it isn't {wrong}."],
        "B": ["'{ex}' isn't {wrong}, it's {label}.", "You mislabelled '{ex}' - it belongs in {label}.",
              "Fix the label of '{ex}': {label}, not {wrong}."],
    },
    "correct_label_ctx": {
        "A": ["No, it's {label}.", "That's wrong, it's a {label} {item}.", "Not {wrong} - {label}."],
        "B": ["Wrong category - it's {label}.", "Nope, {label}, not {wrong}.", "Incorrect, that one is {label}."],
    },
    # ---- forget ------------------------------------------------------------------------
    "forget": {fam: _forget(fam) for fam in "AB"},
    "forget_ctx": {
        "A": ["Forget that.", "Delete that, it's gone.", "Please remove that from your notes.", "Drop that one.",
              "That's not valid anymore, delete it.", "Erase that, please.", "Forget it, it no longer exists."],
        "B": ["Scrap that entry, it no longer applies.", "Wipe that one, please.", "Bin that info.",
              "Get rid of that, please.", "Forget that one, it's gone.", "Please delete it.", "Clear that from memory."],
    },
    "forget_personal": {
        "A": ["Please forget that {p}.", "Forget what I told you about {ptopic}.", "Delete the note about {ptopic}.",
              "Forget that {p}, please.", "Remove {ptopic} from what you know about me.",
              "Forget that I told you {p}.", "Please don't keep the note that {p}.", "Stop remembering {ptopic}.",
              "Remove what I said about {ptopic}.", "Erase the fact that {p}."],
        "B": ["Delete what you know about {ptopic}, please.", "I don't want you to remember that {p}. Remove it.",
              "Can you forget that {p}?", "Please erase {ptopic} from your memory.", "Wipe the info about {ptopic}."],
    },
    "forget_label": {
        "A": ["Remove '{ex}' from the {label} examples.", "Delete the example '{ex}'.",
              "Take '{ex}' out of the {label} examples.", "'{ex}' shouldn't be a {label} example, remove it.",
              "Erase '{ex}' from the training examples."],
        "B": ["Drop the example '{ex}' from {label}.", "Forget the {label} example '{ex}'."],
    },
    # ---- none (hard negatives) ---------------------------------------------------------
    "neg_question": {
        "A": ["{q}"] * 4 + ["Quick question: {q}", "Hey, {q}", "Hi! {q}", "Sorry, {q}", "One thing: {q}"],
        "B": ["{q}"] * 4 + ["Could you tell me something? {q}", "Hello - {q}", "Excuse me, {q}", "hey quick one: {q}",
                            "Just wondering, {q}"],
    },
    "neg_request": {
        "A": ["Tell me {topic}.", "Look up {topic} for me.", "What do you know about {topic}?"],
        "B": ["Can you check {topic}?", "Show me {topic}.", "Have you got anything on {topic}?"],
    },
    "neg_forget_question": {
        "A": ["Did you delete {topic}?", "Did you forget {topic}?"],
        "B": ["Have you forgotten {topic}?", "Was {topic} removed?"],
    },
    "neg_hypothetical": {
        "A": ["What if {s}?", "Suppose {s} - would that change anything?", "Let's say {s}. What then?",
              "Hypothetically, if {s}, what would happen?", "What would happen if {s}?"],
        "B": ["Imagine {s}; how would that work?", "If {s}, would that be a problem?", "Say {s} - then what?",
              "In a world where {s}, what changes?", "Assuming {s}, what should I do?"],
    },
    "neg_reported_speech": {
        "A": ["My friend said {s}. Is that true?", "Someone told me {s}, is that right?", "I heard {s}. True?",
              "People say {s}. Can you check?", "My colleague thinks {s}. Is she right?",
              "Somebody on a forum wrote that {s}. Right?", "My sister reckons {s}. Is that true?",
              "They told me at the desk that {s}, is that correct?", "According to a friend, {s}. Can that be right?"],
        "B": ["I read online that {s} - can you confirm?", "A colleague claims {s}. Really?",
              "The website says {s}, correct?", "My neighbour mentioned {s}. Is that so?",
              "Apparently {s}? Is that accurate?"],
    },
    "neg_check": {
        "A": ["Is it true that {os}?", "Can you confirm that {os}?", "Is it still the case that {os}?"],
        "B": ["Am I right that {os}?", "Is it correct that {os}?", "Just checking: {os}, right?"],
    },
    "neg_dont_forget": {
        "A": ["Don't forget to {x}.", "Remind me to {x}.", "Remember to {x}!", "Make sure you remind me to {x}."],
        "B": ["Please don't forget to {x}!", "Don't let me forget to {x}.", "Can you remind me to {x} later?",
              "Pls remind me to {x}."],
    },
    "neg_memory_question": {
        "A": ["What do you know about {ptopic}?", "Do you remember {ptopic}?"],
        "B": ["Do you still remember {ptopic}?", "What have you saved about {ptopic}?"],
    },
    "neg_label_question": {
        "A": ["Is '{ex}' a {label} {item}?", "How would you label '{ex}'?", "Should '{ex}' be {label}?",
              "Which label fits '{ex}'?", "What did you file '{ex}' under?", "Why is '{ex}' marked {wrong}?"],
        "B": ["Which category does '{ex}' fall under?", "Why did you tag '{ex}' as {wrong}?",
              "What label did '{ex}' get?"],
    },
    "neg_entity_question": {
        "A": ["What kind of entity is {ent} in '{sent}'?", "Is {ent} a place in '{sent}'?"],
        "B": ["Is {ent} a person, a place or an organization in '{sent}'?", "How would you tag {ent} in '{sent}'?"],
    },
}

# Assistant turns used as context.
UNKNOWN = {
    "A": ["I'm not sure about that, sorry.", "I don't have that information yet.", "Hmm, I don't know. Do you?",
          "Sorry, I can't find that.", "I have no record of that. Do you know?"],
    "B": ["I couldn't find that in my notes.", "That's not something I know yet, unfortunately.",
          "No idea, I'm afraid - can you tell me?", "My notes don't say."],
}
STATE_OLD = {"A": ["{OS}.", "According to my notes, {os}."], "B": ["As far as I know, {os}.", "I believe {os}."]}
STATE_NEW = {"A": ["{S}.", "According to my notes, {s}."], "B": ["As far as I know, {s}.", "I believe {s}."]}
ASK_ABOUT_YOU = {
    "A": ["Is there anything I should know about you?", "Tell me a bit about yourself."],
    "B": ["Anything I should keep in mind?", "What should I know before I suggest something?"],
}
NOTE_BACK = {"A": ["According to my notes: {note}"], "B": ["I have this noted: {note}"]}
LABEL_GUESS = {"A": ["I'd call that a {wrong} {item}."], "B": ["That looks like {wrong} to me."]}
ANYTHING_ELSE = {"A": ["Is there anything else I can help with?"], "B": ["Can I help with anything else today?"]}

# Context follow-ups that are not teaching.
NO_THANKS = {"A": ["No, that's all, thanks.", "No thanks, I'm good."], "B": ["Nope, nothing else.", "No, that was it. Bye!"]}
CONFIRM = {"A": ["Yes, that's right.", "Exactly, thanks.", "Right, that matches what I had.", "Perfect, that's it."], "B": ["Correct, cheers.", "Yep, that's what I thought."]}
FOLLOWUP = {"A": ["Are you sure?", "Since when?", "Great, thanks!", "And on Sundays?", "OK, good to know.",
                   "Got it, thank you."], "B": ["Really? How do you know that?",
                                                                         "Cool, cheers.", "Thanks, that helps."]}
FORGET_LOOKALIKE = {
    "A": ["Forget it, never mind.", "I forgot my password again.", "Did you forget about my order?",
          "Never mind, forget I asked.", "I keep forgetting the code for the door."],
    "B": ["Oh forget it, I'll call instead.", "I always forget where the entrance is.",
          "Have you forgotten what I asked?", "Ugh, I forgot my card at home.", "Don't worry, forget about it."],
}
CHITCHAT = {
    "A": ["Hi there!", "Good morning!", "Thanks a lot.", "ok", "lol", "How are you today?", "You're very helpful.",
          "Hello, anyone there?", "That's hilarious.", "Bye for now.", "Hmm, let me think.", "Sorry, wrong chat.",
          "What a day.", "Can you hear me?", "Nice, cheers."],
    "B": ["Hey!", "Evening.", "thx", "great", "haha fair enough", "How's it going?", "You're a star.",
          "Are you a bot?", "Interesting.", "See you tomorrow.", "Wait a second.", "oops, typo",
          "Long week, huh.", "Testing, testing.", "Alright then."],
}
# Questions about the assistant's own labels.
ANSWER_LABELS = {"A": ["What labels do you use for each {item}?", "Which categories does the {clf} have?"],
                 "B": ["List the categories you sort a {item} into.", "How many {clf} labels are there?"]}
