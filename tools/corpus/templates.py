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

T = {
    # ---- teach -------------------------------------------------------------------------
    "statement_copula": {  # the fact sentences themselves carry the grammatical shapes
        "A": ["{S}.", "FYI, {s}.", "Just so you know, {s}.", "Remember that {s}.", "Please note that {s}.",
              "Good to know: {s}.", "For your info, {s}.", "Note: {s}."],
        "B": ["{S}.", "Heads up: {s}.", "Note for the future: {s}.", "{S}, in case anyone asks.",
              "You should know that {s}.", "Quick fact: {s}.", "Keep in mind that {s}.", "{S} - worth remembering."],
    },
    "statement_multi": {
        "A": ["{S1}, and {s2}.", "FYI: {s1}; also, {s2}."],
        "B": ["Two things: {s1}, and {s2}.", "{S1}. Oh, and {s2}."],
    },
    "qa_statement": {
        "A": ["Remember this: {q} {New}.", "If anyone asks '{q}', the answer is {new}.", "Q: {q} A: {new}."],
        "B": ["Here's one for your notes: {q} Answer: {new}.", "When people ask '{q}', tell them {new}.",
              "{q} The answer is {new}, for the record."],
    },
    "answer_ctx": {
        "A": ["{S}.", "It's {new}.", "I know this one: {s}."],
        "B": ["I can tell you: {s}.", "{New}, I checked.", "{S}, as far as I know."],
    },
    "self_disclosure": {
        "A": ["{P}.", "Just so you know, {p}.", "btw {p}.", "Remember that {p}.", "Good to know about me: {p}."],
        "B": ["{P}.", "A bit about me: {p}.", "For context, {p}.", "You should know that {p}.",
              "Something to keep in mind: {p}."],
    },
    "self_disclosure_ctx": {
        "A": ["{P}.", "Well, {p}."],
        "B": ["{P}.", "Hmm, {p}, if that matters."],
    },
    "label_example": {
        "A": ["'{ex}' is a {label} {item}.", "Label '{ex}' as {label}.", "Put '{ex}' under {label}.",
              "File this under {label}: '{ex}'"],
        "B": ["'{ex}' should be tagged {label}.", "Classify this {item} as {label}: {ex}", "{ex} - that one's {label}.",
              "Mark '{ex}' as {label}, please."],
    },
    "entity_label": {
        "A": ["In '{sent}', {ent} is a {tw}.", "Tag {ent} as a {tw} in: {sent}", "Entities in '{sent}': {list}."],
        "B": ["{ent} in the sentence '{sent}' refers to a {tw}.", "Entity note for '{sent}': {ent} = {tw}.",
              "Please annotate '{sent}' with {list}."],
    },
    # ---- correct -----------------------------------------------------------------------
    "correct_old_new": {
        "A": ["Actually, {s}, not {old}.", "Correction: {s}, not {old}.", "{S} now, not {old} anymore.",
              "That's wrong: {s}, not {old}."],
        "B": ["Small fix: {s} (it used to be {old}).", "It changed: {s}, no longer {old}.",
              "Please correct your info: {s}, not {old}.", "Careful, {s} - {old} was a mistake."],
    },
    "update_prefix": {
        "A": ["Update: {s} now.", "That's outdated, {s} now.", "No - {s}. Please update that."],
        "B": ["Your information is old, {s} these days.", "New info: {s} from now on.",
              "Heads up, things changed: {s}."],
    },
    "correct_question": {
        "A": ["That's wrong. {q} It's {new}, not {old}.", "No no. {q} {New}, not {old}."],
        "B": ["No, that is wrong. {q} It is {new}, not {old}.", "Not quite. {q} The answer is {new} rather than {old}."],
    },
    "correct_ctx": {
        "A": ["No, it's {new}.", "That's not right, {s}.", "Wrong, it's {new} now.", "Not anymore - it's {new}.",
              "No, {new}."],
        "B": ["Hm, no. {S}.", "That changed, it's {new} these days.", "Incorrect: {new}.", "Nope, {new}, not {old}.",
              "You've got that wrong - {new}."],
    },
    "correct_personal": {
        "A": ["Update: {u}.", "That's outdated - {u}.", "Actually, {u}."],
        "B": ["Things have changed: {u}.", "Not true anymore, {u}.", "Small update about me: {u}."],
    },
    "correct_label": {
        "A": ["No, '{ex}' is {label}, not {wrong}.", "Wrong label: '{ex}' is {label}, not {wrong}."],
        "B": ["'{ex}' isn't {wrong}, it's {label}.", "You mislabelled '{ex}' - it belongs in {label}."],
    },
    "correct_label_ctx": {
        "A": ["No, it's {label}.", "That's wrong, it's a {label} {item}."],
        "B": ["Wrong category - it's {label}.", "Nope, {label}, not {wrong}."],
    },
    # ---- forget ------------------------------------------------------------------------
    "forget": {
        "A": ["Forget {topic}.", "Please delete {topic}.", "Remove {topic} from your notes.",
              "Erase what you know about {topic}."],
        "B": ["Drop {topic}, it's no longer valid.", "Can you wipe {topic}?", "Please scrap {topic} from memory.",
              "{Topic} is obsolete, delete it."],
    },
    "forget_ctx": {
        "A": ["Forget that.", "Delete that, it's gone.", "Please remove that from your notes."],
        "B": ["Scrap that entry, it no longer applies.", "Wipe that one, please.", "Bin that info."],
    },
    "forget_personal": {
        "A": ["Please forget that {p}.", "Forget what I told you about {ptopic}."],
        "B": ["Delete what you know about {ptopic}, please.", "I don't want you to remember that {p}. Remove it."],
    },
    "forget_label": {
        "A": ["Remove '{ex}' from the {label} examples."],
        "B": ["Drop the example '{ex}' from {label}."],
    },
    # ---- none (hard negatives) ---------------------------------------------------------
    "neg_question": {
        "A": ["{q}", "{q}", "Quick question: {q}"],
        "B": ["{q}", "{q}", "Could you tell me something? {q}"],
    },
    "neg_hypothetical": {
        "A": ["What if {s}?", "Suppose {s} - would that change anything?"],
        "B": ["Imagine {s}; how would that work?", "If {s}, would that be a problem?"],
    },
    "neg_reported_speech": {
        "A": ["My friend said {s}. Is that true?", "Someone told me {s}, is that right?"],
        "B": ["I read online that {s} - can you confirm?", "A colleague claims {s}. Really?"],
    },
    "neg_check": {
        "A": ["Is it true that {os}?"],
        "B": ["Am I right that {os}?"],
    },
    "neg_dont_forget": {
        "A": ["Don't forget to {x}.", "Remind me to {x}."],
        "B": ["Please don't forget to {x}!", "Don't let me forget to {x}."],
    },
    "neg_memory_question": {
        "A": ["What do you know about {ptopic}?"],
        "B": ["Do you still remember {ptopic}?"],
    },
    "neg_label_question": {
        "A": ["Is '{ex}' a {label} {item}?", "How would you label '{ex}'?"],
        "B": ["Which category does '{ex}' fall under?", "Why did you tag '{ex}' as {wrong}?"],
    },
    "neg_entity_question": {
        "A": ["What kind of entity is {ent} in '{sent}'?"],
        "B": ["Is {ent} a person, a place or an organization in '{sent}'?"],
    },
}

# Assistant turns used as context.
UNKNOWN = {
    "A": ["I'm not sure about that, sorry.", "I don't have that information yet.", "Hmm, I don't know. Do you?"],
    "B": ["I couldn't find that in my notes.", "That's not something I know yet, unfortunately."],
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
CONFIRM = {"A": ["Yes, that's right.", "Exactly, thanks."], "B": ["Correct, cheers.", "Yep, that's what I thought."]}
FOLLOWUP = {"A": ["Are you sure?", "Since when?", "Great, thanks!"], "B": ["Really? How do you know that?",
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
