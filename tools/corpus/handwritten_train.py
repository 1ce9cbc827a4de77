"""Hand-written teaching turns for the TRAIN domains: facts and notes in many shapes.

Written for issue 15 (extract) before any tuning on them, in the conventions of the
hand-written dev rows: a fact's subject and object as the turn says them, its relation an
attribute name with the qualifier that makes it true ("Sunday opening time"); a note is
what the user said about themselves, told in the third person ("The user ..."), fillers
("finally", "so yeah") left out; one item per fact or disclosure, corrections with the
old value in `replaces` when the turn says it. None of these sentences is from a dev or
test domain, nor one of the issue's own examples.

Each entry: (label, form, text, [items], optional context turns oldest first).
"""

from __future__ import annotations


def fact(s, r, o, rep=None):
    return {"kind": "fact", "subject": s, "relation": r, "object": o, **({"replaces": rep} if rep else {})}


def note(t, rep=None):
    return {"kind": "note", "text": t, **({"replaces": rep} if rep else {})}


def qa(q, a, rep=None):
    return {"kind": "qa", "question": q, "answer": a, **({"replaces": rep} if rep else {})}


ROWS: dict[str, list[tuple]] = {
    "bookshop": [
        ("teach", "statement_verb", "The reading group meets in the back room every second Tuesday.",
         [fact("the reading group", "meeting place", "the back room"),
          fact("the reading group", "meeting day", "every second Tuesday")]),
        ("teach", "statement_copula", "Our Sunday hours are 11 to 4.", [fact("the shop", "Sunday opening hours", "11 to 4")]),
        ("teach", "statement_verb", "Paperbacks ordered before noon usually ship the same day.",
         [fact("paperbacks ordered before noon", "shipping time", "the same day")]),
        ("teach", "self_disclosure_passing", "I just finished the whole Discworld series last week, what a ride",
         [note("The user finished the whole Discworld series last week.")]),
        ("correct", "correct_old_new", "Children's story time is at 10:30 now, it used to be 10.",
         [fact("children's story time", "start time", "10:30", "10")]),
    ],
    "fashion_store": [
        ("teach", "statement_multi", "alterations take 3 days normally and 1 day if you pay the express fee",
         [fact("alterations", "normal turnaround", "3 days"), fact("alterations", "express turnaround", "1 day")]),
        ("teach", "statement_copula", "The fitting rooms are on the first floor, next to the lifts.",
         [fact("the fitting rooms", "location", "the first floor, next to the lifts")]),
        ("teach", "self_disclosure", "I'm a size 12 in most brands but a 14 in jeans.",
         [note("The user is a size 12 in most brands but a 14 in jeans.")]),
        ("teach", "self_disclosure", "i hate wool, it makes my skin itch", [note("The user hates wool because it makes their skin itch.")]),
        ("correct", "update_prefix", "Update: the loyalty card now gives 15 percent off on your birthday.",
         [fact("the loyalty card", "birthday discount", "15 percent off")]),
    ],
    "grocery": [
        ("teach", "statement_multi", "Bread is baked fresh at 7 am, and again at 2 pm on Saturdays.",
         [fact("bread", "baking time", "7 am"), fact("bread", "Saturday baking time", "2 pm")]),
        ("teach", "statement_verb", "The organic eggs come from a farm in Kent.",
         [fact("the organic eggs", "origin", "a farm in Kent")]),
        ("teach", "self_disclosure", "I'm coeliac, so everything I buy has to be gluten free.",
         [note("The user is coeliac and buys only gluten-free food.")]),
        ("teach", "self_disclosure", "We have two cats and a rabbit at home.", [note("The user has two cats and a rabbit.")]),
        ("correct", "correct_old_new", "The deli counter closes at 7 these days, not 8.",
         [fact("the deli counter", "closing time", "7", "8")]),
    ],
    "it_helpdesk": [
        ("teach", "statement_copula", "The VPN certificate expires on 31 March.",
         [fact("the VPN certificate", "expiry date", "31 March")]),
        ("teach", "statement_verb", "Password resets take about 15 minutes to sync to email.",
         [fact("password resets", "sync time", "about 15 minutes")]),
        ("teach", "statement_multi", "The Berlin office uses the 4th floor printer, and the Munich office uses the one by reception.",
         [fact("the Berlin office", "printer", "the 4th floor printer"),
          fact("the Munich office", "printer", "the one by reception")]),
        ("teach", "self_disclosure", "I'm on a Mac and I can't install anything without admin rights.",
         [note("The user is on a Mac and can't install anything without admin rights.")]),
        ("correct", "correct_personal", "I moved to the finance team last month, not sales anymore.",
         [note("The user is in the finance team.", "The user is in the sales team.")]),
    ],
    "world_geography": [
        ("teach", "statement_verb", "The Mekong rises on the Tibetan Plateau.",
         [fact("the Mekong", "source", "the Tibetan Plateau")]),
        ("teach", "statement_verb", "Lake Baikal lies in southern Siberia.", [fact("Lake Baikal", "location", "southern Siberia")]),
        ("teach", "statement_copula", "The capital of Bhutan is Thimphu.", [fact("Bhutan", "capital", "Thimphu")]),
        ("teach", "statement_multi", "Mount Kilimanjaro is in Tanzania and it is 5,895 metres high.",
         [fact("Mount Kilimanjaro", "country", "Tanzania"), fact("Mount Kilimanjaro", "height", "5,895 metres")]),
        ("teach", "statement_verb", "Penguins of the Galápagos can be found only on those islands.",
         [fact("penguins of the Galápagos", "range", "only on those islands")]),
    ],
    "history_art": [
        ("teach", "statement_verb", "The Bayeux Tapestry was made in the 1070s.",
         [fact("the Bayeux Tapestry", "date", "the 1070s")]),
        ("teach", "statement_verb", "Impressionism began in Paris in the 1860s.",
         [fact("Impressionism", "place of origin", "Paris"), fact("Impressionism", "start date", "the 1860s")]),
        ("teach", "statement_copula", "The architect of the Sydney Opera House was Jørn Utzon.",
         [fact("the Sydney Opera House", "architect", "Jørn Utzon")]),
        ("teach", "statement_verb", "Frida Kahlo was born in Coyoacán.", [fact("Frida Kahlo", "birthplace", "Coyoacán")]),
    ],
    "medicine": [
        ("teach", "statement_verb", "Ibuprofen should be taken with food.", [fact("ibuprofen", "how to take", "with food")]),
        ("teach", "statement_copula", "The usual adult dose of paracetamol is 1 g up to four times a day.",
         [fact("paracetamol", "usual adult dose", "1 g up to four times a day")]),
        ("teach", "self_disclosure", "I'm on blood thinners since my heart surgery.",
         [note("The user is on blood thinners since their heart surgery.")]),
        ("teach", "self_disclosure_passing", "Last month I had my second covid booster, no side effects",
         [note("The user had their second covid booster last month.")]),
        ("correct", "correct_personal", "I don't take the statins anymore, my doctor stopped them.",
         [note("The user no longer takes statins.", "The user takes statins.")]),
    ],
    "software": [
        ("teach", "statement_verb", "Version 4.2 drops support for Python 3.8.",
         [fact("version 4.2", "dropped support", "Python 3.8")]),
        ("teach", "statement_copula", "The default port of the admin panel is 8443.",
         [fact("the admin panel", "default port", "8443")]),
        ("teach", "statement_multi", "Nightly builds run at 2 am UTC and release builds run on Fridays.",
         [fact("nightly builds", "run time", "2 am UTC"), fact("release builds", "run day", "Fridays")]),
        ("teach", "self_disclosure", "I mostly write Go, and I use Neovim as my editor.",
         [note("The user mostly writes Go."), note("The user uses Neovim as their editor.")]),
        ("correct", "correct_old_new", "The API rate limit is 600 requests per minute now, not 300.",
         [fact("the API", "rate limit", "600 requests per minute", "300")]),
    ],
    "cooking": [
        ("teach", "statement_verb", "Sourdough needs about 12 hours to prove in the fridge.",
         [fact("sourdough", "proving time in the fridge", "about 12 hours")]),
        ("teach", "statement_copula", "The ideal temperature for roasting potatoes is 220 degrees.",
         [fact("roasting potatoes", "ideal temperature", "220 degrees")]),
        ("teach", "self_disclosure", "I don't eat pork, and my daughter is lactose intolerant.",
         [note("The user doesn't eat pork."), note("The user's daughter is lactose intolerant.")]),
        ("teach", "self_disclosure", "I cook for six people most evenings.", [note("The user cooks for six people most evenings.")]),
        ("correct", "correct_personal", "I eat fish again now, I'm not fully vegetarian.",
         [note("The user eats fish.", "The user is vegetarian.")]),
    ],
    "sports": [
        ("teach", "statement_verb", "The club's under-12 team trains on Wednesdays at 5.",
         [fact("the under-12 team", "training time", "Wednesdays at 5")]),
        ("teach", "statement_multi", "Court hire is 8 pounds an hour off-peak and 14 at peak times.",
         [fact("court hire", "off-peak price", "8 pounds an hour"), fact("court hire", "peak price", "14")]),
        ("teach", "self_disclosure_passing", "I ran my first half marathon on Sunday, 1:58!",
         [note("The user ran their first half marathon on Sunday in 1:58.")]),
        ("teach", "self_disclosure", "I play left back for a Sunday league team.",
         [note("The user plays left back for a Sunday league team.")]),
        ("correct", "correct_old_new", "The season starts on 14 August, not the 7th.",
         [fact("the season", "start date", "14 August", "the 7th")]),
    ],
    "travel_agency": [
        ("teach", "statement_copula", "The transfer from Heraklion airport to the hotel is 40 minutes.",
         [fact("the transfer from Heraklion airport to the hotel", "duration", "40 minutes")]),
        ("teach", "statement_verb", "The Nile cruise includes all meals but not drinks.",
         [fact("the Nile cruise", "included", "all meals"), fact("the Nile cruise", "not included", "drinks")]),
        ("teach", "self_disclosure", "I'm travelling with my elderly mum, she can't walk far.",
         [note("The user is travelling with their elderly mother, who can't walk far.")]),
        ("teach", "self_disclosure", "My passport expires in February.", [note("The user's passport expires in February.")]),
        ("correct", "update_prefix", "Heads up, the deposit for the Alps package is 250 euros now.",
         [fact("the Alps package", "deposit", "250 euros")]),
    ],
    "finance": [
        ("teach", "statement_copula", "The ISA allowance this tax year is 20,000 pounds.",
         [fact("the ISA", "allowance this tax year", "20,000 pounds")]),
        ("teach", "statement_verb", "Dividends are paid out twice a year, in June and December.",
         [fact("dividends", "payment schedule", "twice a year, in June and December")]),
        ("teach", "self_disclosure", "I'm self-employed and I file my tax return in January.",
         [note("The user is self-employed and files their tax return in January.")]),
        ("teach", "self_disclosure", "My risk appetite is low, I can't afford to lose the money.",
         [note("The user's risk appetite is low.")]),
        ("correct", "correct_old_new", "The platform fee is 0.25 percent, it was 0.45 percent until April.",
         [fact("the platform", "fee", "0.25 percent", "0.45 percent")]),
    ],
    "school": [
        ("teach", "statement_multi", "The school gates open at 8:15 and close at 8:50 in the morning.",
         [fact("the school gates", "morning opening time", "8:15"), fact("the school gates", "morning closing time", "8:50")]),
        ("teach", "statement_verb", "Year 9 goes on the geography trip in the last week of May.",
         [fact("Year 9", "geography trip", "the last week of May")]),
        ("teach", "self_disclosure", "My son Leo is in Year 4 and he has dyslexia.",
         [note("The user's son Leo is in Year 4."), note("The user's son Leo has dyslexia.")]),
        ("teach", "self_disclosure", "I can only do pick-up on Tuesdays and Thursdays.",
         [note("The user can only do pick-up on Tuesdays and Thursdays.")]),
        ("correct", "correct_ctx", "No, it's Mrs Patel now, Mr Hughes retired.",
         [fact("Year 4", "class teacher", "Mrs Patel", "Mr Hughes")],
         ("Who teaches Year 4?", "Year 4 is taught by Mr Hughes.")),
    ],
    "hr": [
        ("teach", "statement_copula", "The probation period for new hires is six months.",
         [fact("new hires", "probation period", "six months")]),
        ("teach", "statement_verb", "Expense claims must be submitted within 30 days.",
         [fact("expense claims", "submission deadline", "within 30 days")]),
        ("teach", "statement_multi", "Full-timers get 28 days of leave and part-timers get it pro rata.",
         [fact("full-timers", "annual leave", "28 days"), fact("part-timers", "annual leave", "pro rata")]),
        ("teach", "self_disclosure", "I'm going on parental leave from 1 October.",
         [note("The user is going on parental leave from 1 October.")]),
        ("correct", "correct_personal", "I work four days a week now, Fridays off.",
         [note("The user works four days a week with Fridays off.")]),
    ],
    "library": [
        ("teach", "statement_multi", "The library opens at 9 on weekdays and at 11 on Sundays.",
         [fact("the library", "weekday opening time", "9"), fact("the library", "Sunday opening time", "11")]),
        ("teach", "statement_verb", "Overdue DVDs cost 50p a day.", [fact("overdue DVDs", "fine", "50p a day")]),
        ("teach", "statement_copula", "The local history archive is in the basement.",
         [fact("the local history archive", "location", "the basement")]),
        ("teach", "self_disclosure", "I'm partially sighted, so I borrow large-print books.",
         [note("The user is partially sighted and borrows large-print books.")]),
        ("teach", "self_disclosure_passing", "I finally got my library card renewed yesterday.",
         [note("The user got their library card renewed yesterday.")]),
    ],
    "bank": [
        ("teach", "statement_copula", "The daily cash withdrawal limit is 500 pounds.",
         [fact("cash withdrawals", "daily limit", "500 pounds")]),
        ("teach", "statement_verb", "International transfers arrive within two working days.",
         [fact("international transfers", "arrival time", "within two working days")]),
        ("teach", "statement_multi", "The branch is open 9 to 5 on weekdays and 9 to 12 on Saturdays.",
         [fact("the branch", "weekday opening hours", "9 to 5"), fact("the branch", "Saturday opening hours", "9 to 12")]),
        ("teach", "self_disclosure", "I'm saving for a house deposit, about two years away.",
         [note("The user is saving for a house deposit, about two years away.")]),
        ("correct", "correct_old_new", "The savings rate went up to 4.1 percent, it was 3.8.",
         [fact("the savings account", "interest rate", "4.1 percent", "3.8")]),
    ],
    "hotel": [
        ("teach", "statement_multi", "Check-in is from 3 pm and check-out is by 11 am.",
         [fact("check-in", "start time", "3 pm"), fact("check-out", "deadline", "11 am")]),
        ("teach", "statement_verb", "The rooftop bar closes at midnight on Fridays and Saturdays.",
         [fact("the rooftop bar", "weekend closing time", "midnight")]),
        ("teach", "statement_copula", "Parking is 18 euros a night.", [fact("parking", "price", "18 euros a night")]),
        ("teach", "self_disclosure", "We're celebrating our tenth anniversary during the stay.",
         [note("The user is celebrating their tenth anniversary during the stay.")]),
        ("teach", "self_disclosure", "I need a room on a low floor, I'm scared of heights.",
         [note("The user needs a room on a low floor because they are scared of heights.")]),
    ],
    "furniture_store": [
        ("teach", "statement_verb", "Sofas made to order take ten to twelve weeks.",
         [fact("sofas made to order", "delivery time", "ten to twelve weeks")]),
        ("teach", "statement_copula", "Assembly costs 49 pounds per item.", [fact("assembly", "price", "49 pounds per item")]),
        ("teach", "self_disclosure", "My flat is on the fifth floor and there's no lift.",
         [note("The user's flat is on the fifth floor with no lift.")]),
        ("correct", "correct_old_new", "The mattress trial is 100 nights now, not 60.",
         [fact("the mattress trial", "length", "100 nights", "60")]),
    ],
    "personal": [
        ("teach", "self_disclosure_passing", "Yesterday I passed my driving test, third time lucky!",
         [note("The user passed their driving test yesterday.")]),
        ("teach", "self_disclosure_passing", "We got a puppy last weekend, a beagle called Biscuit.",
         [note("The user got a beagle puppy called Biscuit last weekend.")]),
        ("teach", "self_disclosure", "I'm left-handed, and I'm learning Portuguese.",
         [note("The user is left-handed."), note("The user is learning Portuguese.")]),
        ("teach", "self_disclosure", "My partner's name is Ravi and we live in Leeds.",
         [note("The user's partner's name is Ravi."), note("The user lives in Leeds.")]),
        ("teach", "self_disclosure", "I work as a nurse, mostly on the children's ward.",
         [note("The user works as a nurse, mostly on the children's ward.")]),
        ("teach", "self_disclosure", "I can't have caffeine after 2 pm or I don't sleep.",
         [note("The user can't have caffeine after 2 pm.")]),
        ("teach", "self_disclosure", "Honestly I'm terrified of flying.", [note("The user is terrified of flying.")]),
        ("teach", "self_disclosure", "I've got a bad back from years of gardening.",
         [note("The user has a bad back from years of gardening.")]),
        ("correct", "correct_personal", "I moved to Bristol in March, I don't live in Bath anymore.",
         [note("The user lives in Bristol.", "The user lives in Bath.")]),
        ("correct", "correct_personal", "Actually I'm allergic to penicillin, not amoxicillin.",
         [note("The user is allergic to penicillin.", "The user is allergic to amoxicillin.")]),
        ("correct", "correct_personal_ctx", "Not anymore, I quit smoking in January.",
         [note("The user quit smoking in January.", "The user smokes.")],
         ("I have this noted: The user smokes.",)),
        ("teach", "self_disclosure_passing", "Just back from two weeks in Japan, still jet-lagged lol",
         [note("The user just came back from two weeks in Japan.")]),
    ],
}


def label(t, lab):
    return {"kind": "label", "text": t, "label": lab}


# Label examples without quotes around the example (the templates quote them): the example is
# what the classifier would read, the label one of the domain's labels.
LABELS: dict[str, list[tuple[str, str, str]]] = {
    "bookshop": [("new order request: could you get the latest Ishiguro in for me", "could you get the latest Ishiguro in for me", "order"),
                 ("Is the poetry night sold out? That's an event question.", "Is the poetry night sold out?", "event")],
    "grocery": [("oat milk 1 litre goes with dairy", "oat milk 1 litre", "dairy"),
                ("bakery please: six wholemeal rolls", "six wholemeal rolls", "bakery")],
    "it_helpdesk": [("My second monitor stays black, that's hardware", "My second monitor stays black", "hardware"),
                    ("network: Teams keeps saying I'm offline", "Teams keeps saying I'm offline", "network"),
                    ("Tag this one access - I can't get into the HR folder", "I can't get into the HR folder", "access")],
    "bank": [("someone used my card in Spain, I was at home. Fraud, obviously.",
              "someone used my card in Spain, I was at home", "fraud"),
             ("How long does a transfer to Poland take? file under transfers", "How long does a transfer to Poland take?",
              "transfers")],
    "hotel": [("The TV remote doesn't work -> maintenance", "The TV remote doesn't work", "maintenance"),
              ("housekeeping for this one: Could we get two more pillows?", "Could we get two more pillows?",
               "housekeeping")],
    "library": [("Dracula is horror? no, put it with fantasy", "Dracula", "fantasy"),
                ("The Girl with the Dragon Tattoo belongs in crime", "The Girl with the Dragon Tattoo", "crime")],
    "school": [("Sam won't be in tomorrow, he has a fever. That's absence.", "Sam won't be in tomorrow, he has a fever",
                "absence"),
               ("payment - I can't see the trip fee in the app", "I can't see the trip fee in the app", "payment")],
    "hr": [("I want to take unpaid leave in March, label it leave", "I want to take unpaid leave in March", "leave"),
           ("My bonus is missing from this month's pay is a payroll one", "My bonus is missing from this month's pay",
            "payroll")],
    "software": [("bug: the date picker shows the wrong month", "the date picker shows the wrong month", "bug"),
                 ("Please add SSO with Okta is a feature request", "Please add SSO with Okta", "feature")],
    "travel_agency": [("We'd like to move our Lisbon trip to October, that's booking",
                       "We'd like to move our Lisbon trip to October", "booking"),
                      ("visa question: does my son need a passport photo for Egypt",
                       "does my son need a passport photo for Egypt", "visa")],
}


def add(T) -> None:
    """Add every row through handwritten.T (label, form, text, items, context)."""
    for dom, items in ROWS.items():
        for lab, form, text, knowledge, *ctx in items:
            T(dom, form, text, *knowledge, ctx=ctx[0] if ctx else None, label=lab)
    for dom, items in LABELS.items():
        for text, example, lab in items:
            T(dom, "label_example", text, label(example, lab))
