"""Rows written by hand for the corpus: natural, varied, some lower-case or with typos.

Most are for the dev and test domains (so held-out scores rest on wordings no template
produced), some for train domains. `ctx` lists earlier turns oldest first; roles alternate
and the last one is the assistant's.
"""

from __future__ import annotations

ROWS: list[dict] = []


def _ctx(ctx):
    turns = list(ctx or ())
    roles = ["assistant" if (len(turns) - i) % 2 == 1 else "user" for i in range(len(turns))]
    return [{"role": r, "text": t} for r, t in zip(roles, turns, strict=True)]


def T(domain, form, text, *items, ctx=None, label="teach"):
    ROWS.append({"domain": domain, "form": form, "source": "handwritten", "context": _ctx(ctx), "text": text,
                 "label": label, "knowledge": list(items)})


def C(domain, form, text, *items, ctx=None):
    T(domain, form, text, *items, ctx=ctx, label="correct")


def F(domain, form, text, *items, ctx=None):
    T(domain, form, text, *items, ctx=ctx, label="forget")


def N(domain, form, text, ctx=None):
    ROWS.append({"domain": domain, "form": form, "source": "handwritten", "context": _ctx(ctx), "text": text,
                 "label": "none", "knowledge": []})


def fact(s, r, o, rep=None):
    return {"kind": "fact", "subject": s, "relation": r, "object": o, **({"replaces": rep} if rep else {})}


def qa(q, a, rep=None):
    return {"kind": "qa", "question": q, "answer": a, **({"replaces": rep} if rep else {})}


def note(t, rep=None):
    return {"kind": "note", "text": t, **({"replaces": rep} if rep else {})}


def forget(t):
    return {"kind": "forget", "target": t}


def label(t, lab):
    return {"kind": "label", "text": t, "label": lab}


def span(text, *ents):
    spans = []
    for ent, lab in ents:
        start = text.index(ent)
        spans.append({"start": start, "end": start + len(ent), "label": lab})
    return {"kind": "span", "text": text, "spans": spans}


# ---------------------------------------------------------------- gym (dev)
g = "gym"
T(g, "statement_copula", "The squash courts can be booked two weeks ahead.",
  fact("the squash courts", "booking window", "two weeks ahead"))
T(g, "statement_multi", "the pool opens at 6 on weekdays and at 8 on weekends",
  fact("the pool", "weekday opening time", "6"), fact("the pool", "weekend opening time", "8"))
T(g, "statement_verb", "Kids under 14 can only use the gym with a parent.",
  fact("kids under 14", "gym access", "only with a parent"))
T(g, "self_disclosure", "i've got asthma so go easy on the cardio plans pls", note("The user has asthma."))
T(g, "self_disclosure_passing", "Yesterday I finally deadlifted 100 kg, so happy!",
  note("The user deadlifted 100 kg yesterday."))
C(g, "correct_ctx", "nah, Jade teaches it now", qa("Who teaches Tuesday spin?", "Jade", "Marco"),
  ctx=("Who teaches Tuesday spin?", "Tuesday spin is taught by Marco."))
C(g, "correct_old_new", "The boxing class moved to Wednesday, it's not on Monday anymore.",
  fact("the boxing class", "day", "Wednesday", "Monday"))
C(g, "update_prefix", "Heads up - the towel service costs 2 euros per visit since January.",
  fact("the towel service", "price", "2 euros per visit"))
F(g, "forget", "The juice bar closed for good, so drop everything you have about it.", forget("the juice bar"))
F(g, "forget_personal", "Please forget that I had a hernia operation.",
  forget("the user had a hernia operation"))
T(g, "label_example", "'Can I bring a friend on Sunday?' goes under membership.",
  label("Can I bring a friend on Sunday?", "membership"))
N(g, "neg_question", "Is the sauna mixed on Wednesdays?")
N(g, "neg_request", "Can you book me a PT session with Marco on Friday?")
N(g, "neg_dont_forget", "don't forget to bring ur own lock, the lockers have none")
N(g, "neg_reported_speech", "The guy at reception told me the pool closes at 9, but that sounds early?")
N(g, "neg_hypothetical", "If I froze my membership for two months, would I lose my locker?")
N(g, "neg_complaint", "Third time this month the showers are cold. Seriously.")
N(g, "neg_opinion", "Spin with Jade is the best class you have imo.")
N(g, "neg_no_ctx", "No, that's everything, thanks!", ctx=("Anything else I can do for you?",))
N(g, "neg_label_question", "What categories do you sort member requests into?")

# ---------------------------------------------------------------- airline (dev)
a = "airline"
T(a, "statement_copula", "Flights to Split are seasonal, April to October only.",
  fact("flights to Split", "season", "April to October only"))
T(a, "qa_statement", "If a passenger asks whether e-cigarettes can go in checked bags: no, cabin only.",
  qa("Can e-cigarettes go in checked bags?", "no, cabin only"))
T(a, "answer_ctx", "Gate D14, they just announced it.", qa("Which gate does the Reykjavik flight leave from?", "Gate D14"),
  ctx=("Which gate does the Reykjavik flight leave from?", "I don't have the gate for that flight yet."))
T(a, "self_disclosure", "My son is flying alone next month, he's 11.",
  note("The user's 11-year-old son is flying alone next month."))
C(a, "correct_question", "No, that is wrong. How much is a second checked bag? It is 45 euros, not 35.",
  qa("How much is a second checked bag?", "45 euros", "35"))
C(a, "correct_old_new", "Actually the lounge is on level 3 now, not level 1.",
  fact("the Terminal 2 lounge", "location", "level 3", "level 1"))
C(a, "correct_ctx", "that's old info, check-in opens 30 hours before now",
  qa("When does online check-in open?", "30 hours before", "24 hours"),
  ctx=("When does online check-in open?", "Online check-in opens 24 hours before departure."))
C(a, "correct_personal", "I'm not gold anymore, they downgraded me to silver.",
  note("The user is a SkyCircle silver member.", "The user is a SkyCircle gold member."))
F(a, "forget_ctx", "that route doesn't exist anymore, delete it", forget("the route"),
  ctx=("Do you still fly to Tartu?", "Yes, there are two flights a week to Tartu."))
F(a, "forget_personal", "Forget my seat preference, I'm fine with any seat now.", forget("the user's seat preference"))
N(a, "neg_question", "can i bring a small knife for cheese in hand luggage")
N(a, "neg_request", "Please rebook me on the next flight to Oslo.")
N(a, "neg_hypothetical", "What if my connecting flight is late and I miss the last one?")
N(a, "neg_reported_speech", "My sister said you now charge for water on board. Is that right?")
N(a, "neg_dont_forget", "Don't forget to add my frequent flyer number to the booking.")
N(a, "neg_complaint", "The app crashed while I was checking in and now I can't pick a seat.")
N(a, "neg_forget_lookalike", "I forgot to add my bag when I booked, can I still do it?")
N(a, "neg_chitchat", "haha ok thanks, you're quicker than the call centre")

# ---------------------------------------------------------------- pharmacy (dev)
p = "pharmacy"
T(p, "statement_copula", "We only stock the 5 mg strength of that one.", fact("that medicine", "stocked strength", "5 mg"))
T(p, "statement_verb", "Dr Obi's surgery sends prescriptions electronically since last week.",
  fact("Dr Obi's surgery", "prescription delivery", "electronically"))
T(p, "self_disclosure", "I'm allergic to peanuts, by the way.", note("The user is allergic to peanuts."))
T(p, "self_disclosure", "my husband is diabetic and I collect his insulin", note("The user's husband is diabetic."),
  note("The user collects their husband's insulin."))
T(p, "label_example", "Put 'do you do ear piercing for kids' under service.",
  label("do you do ear piercing for kids", "service"))
C(p, "correct_ctx", "No, it's 16 pounds this year.", qa("How much is the flu vaccine?", "16 pounds", "14 pounds"),
  ctx=("How much is the flu vaccine?", "The flu vaccine costs 14 pounds without a prescription."))
C(p, "correct_old_new", "Ruth does the weekend shifts, not Dev.", fact("the weekend shift", "pharmacist", "Ruth", "Dev"))
C(p, "update_prefix", "Update: the locker is open 24/7 now.", fact("the prescription locker", "hours", "24/7"))
F(p, "forget", "Please remove the delivery van info, the service was cut.", forget("the delivery van"))
F(p, "forget_personal", "forget that I'm breastfeeding, I stopped", forget("the user is breastfeeding"))
N(p, "neg_question", "Can I take hay fever tablets with my antidepressants?")
N(p, "neg_request", "Could you text me when my repeat is ready?")
N(p, "neg_hypothetical", "Suppose I double my dose by mistake, what happens?")
N(p, "neg_reported_speech", "My GP says you don't stock the generic anymore?")
N(p, "neg_complaint", "you gave me the capsules instead of tablets AGAIN")
N(p, "neg_dont_forget", "don't forget to order my mum's patches")
N(p, "neg_opinion", "The new pharmacist is so much nicer than the old one.")

# ---------------------------------------------------------------- museum (dev)
m = "museum"
T(m, "statement_copula", "The Egyptian rooms are closed for renovation until March.",
  fact("the Egyptian rooms", "closed until", "March"))
T(m, "statement_multi", "Tours are 4 euros for adults and free for members.",
  fact("tours", "adult price", "4 euros"), fact("tours", "member price", "free"))
T(m, "qa_statement", "Remember: who painted The Milkmaid? Johannes Vermeer.",
  qa("Who painted The Milkmaid?", "Johannes Vermeer"))
T(m, "entity_label", "In 'Rembrandt lived in Amsterdam', Amsterdam is a place.",
  span("Rembrandt lived in Amsterdam", ("Amsterdam", "LOC")))
T(m, "self_disclosure", "I'm a teacher and I'd like to bring a class of 25 in May.",
  note("The user is a teacher planning to bring a class of 25 in May."))
C(m, "correct_question", "No. Who founded the museum? It was Anna Vos, not her husband.",
  qa("Who founded the museum?", "Anna Vos", "her husband"))
C(m, "correct_ctx", "wrong, the late opening is on fridays",
  qa("When is the late opening?", "fridays", "Thursdays"),
  ctx=("When is the late opening?", "Late opening is on Thursdays until 10 pm."))
C(m, "correct_label", "That comment isn't about staff, it's about facilities.",
  label("The toilets were out of order", "facilities"),
  ctx=("How would you label 'The toilets were out of order'?", "I'd say staff."))
F(m, "forget", "The Vermeer show is over, forget its dates.", forget("the Vermeer exhibition dates"))
F(m, "forget_ctx", "Please delete that, the audio guide is gone.", forget("the audio guide price"),
  ctx=("How much is the audio guide?", "The audio guide costs 4 euros."))
N(m, "neg_question", "Are dogs allowed in the garden?")
N(m, "neg_request", "Book me a slot for the Vermeer exhibition on Saturday.")
N(m, "neg_reported_speech", "I heard the Vermeer show is extended till July, is that true?")
N(m, "neg_hypothetical", "Would it be cheaper if we came as a group of ten?")
N(m, "neg_label_question", "Did you label my feedback as a complaint?")
N(m, "neg_confirm_ctx", "yes exactly, thank you", ctx=("When is the museum closed?", "The museum is closed on Mondays."))

# ---------------------------------------------------------------- telecom (dev)
te = "telecom"
T(te, "statement_copula", "The 5G network now covers all of Groningen province.",
  fact("the 5G network", "coverage", "all of Groningen province"))
T(te, "statement_verb", "Business customers get a dedicated line: 0800 222 333.",
  fact("business customers", "dedicated line", "0800 222 333"))
T(te, "self_disclosure", "I'm moving to Utrecht on the 1st, so the broadband has to move with me.",
  note("The user is moving to Utrecht on the 1st."))
T(te, "label_example", "'no signal in my kitchen' is coverage.", label("no signal in my kitchen", "coverage"))
C(te, "correct_old_new", "Roaming in the UK isn't free anymore, it's 3 euros a day now.",
  fact("roaming in the UK", "cost", "3 euros a day", "free"))
C(te, "correct_ctx", "Not right. It's the FritzBox 7590.", qa("Which router do you send?", "the FritzBox 7590", "the FritzBox 7490"),
  ctx=("Which router do you send?", "We send the FritzBox 7490."))
C(te, "update_prefix", "That's outdated: the shop closes at 5:30 now.", fact("the high street shop", "closing time", "5:30"))
F(te, "forget", "Delete the info about the student plan, we don't offer it anymore.", forget("the student plan"))
F(te, "forget_personal", "Forget that I have three kids on my account, they've moved out.",
  forget("the user has three kids on their account"))
N(te, "neg_question", "why is my bill 12 euros higher this month?")
N(te, "neg_request", "Switch my plan to the 20 GB one from next month.")
N(te, "neg_complaint", "I've been on hold for 45 minutes, this is a joke.")
N(te, "neg_hypothetical", "If I cancel now, do I pay for the rest of the contract?")
N(te, "neg_dont_forget", "Don't forget to send the return box for the old router.")
N(te, "neg_forget_lookalike", "I forgot my PIN, how do I unlock the SIM?")

# ---------------------------------------------------------------- kestrel (test)
k = "kestrel"
T(k, "statement_copula", "The Volt 5 charger works with the Aero 14 too.", fact("the Volt 5 charger", "works with", "the Aero 14"))
T(k, "statement_multi", "Returns are free for Plus members and 5 dollars for everyone else.",
  fact("returns", "price for Plus members", "free"), fact("returns", "price for other customers", "5 dollars"))
T(k, "answer_ctx", "It's 40 hours with ANC off.", qa("How long does the X2 battery last?", "40 hours with ANC off"),
  ctx=("How long does the X2 battery last?", "I'm not sure about the X2's battery life."))
T(k, "self_disclosure", "I'm a sound engineer, so I care about flat frequency response.",
  note("The user is a sound engineer who cares about flat frequency response."))
T(k, "label_example", "'my earbuds only charge on one side' is a technical ticket.",
  label("my earbuds only charge on one side", "technical"))
C(k, "correct_ctx", "no - it's +1 555 0142 now", qa("What's Kestrel's support number?", "+1 555 0142", "+1 555 0199"),
  ctx=("What's Kestrel's support number?", "Kestrel's support line is +1 555 0199."))
C(k, "correct_old_new", "The Aero 14 weighs 1.3 kg, not 1.6.", fact("the Aero 14 laptop", "weight", "1.3 kg", "1.6"))
C(k, "update_prefix", "FYI that's changed: trade-ins are paid as store credit only.",
  fact("trade-ins", "payout", "store credit only"))
F(k, "forget", "Remove the Denver Sunday hours, the store is closed on Sundays now.", forget("the Denver Sunday hours"))
F(k, "forget_ctx", "get rid of that, we discontinued it", forget("the Volt 3 charger"),
  ctx=("Do you still sell the Volt 3 charger?", "Yes, the Volt 3 charger is 29 dollars."))
N(k, "neg_question", "does the aero 14 have a backlit keyboard?")
N(k, "neg_request", "Cancel order 48213, I ordered the wrong colour.")
N(k, "neg_complaint", "The X2 disconnects every time I open my laptop.")
N(k, "neg_reported_speech", "Someone on Reddit says the Aero 16 is coming in June, true?")
N(k, "neg_hypothetical", "What if the parcel gets lost, do I get a refund or a new one?")
N(k, "neg_label_question", "Why was my ticket marked as billing?")
N(k, "neg_dont_forget", "Please don't forget to include the invoice in the box.")

# ---------------------------------------------------------------- city_council (test)
cc = "city_council"
T(cc, "statement_copula", "Street parking in the centre is free after 8 pm.",
  fact("street parking in the centre", "free after", "8 pm"))
T(cc, "statement_multi", "The recycling centre opens at 9 on weekdays and 10 on Sundays.",
  fact("the recycling centre", "weekday opening time", "9"), fact("the recycling centre", "Sunday opening time", "10"))
T(cc, "qa_statement", "if people ask where to get a new ID card: town hall, desk 4, by appointment",
  qa("Where can I get a new ID card?", "town hall, desk 4, by appointment"))
T(cc, "self_disclosure", "I'm on the residents' committee for the Oak Street flats.",
  note("The user is on the residents' committee for the Oak Street flats."))
T(cc, "label_example", "'Graffiti on the bus shelter on Elm Avenue' should be filed as roads.",
  label("Graffiti on the bus shelter on Elm Avenue", "roads"))
C(cc, "correct_old_new", "Actually the mayor is Ingrid Vos, not Peter Dekker.", fact("the city", "mayor", "Ingrid Vos", "Peter Dekker"))
C(cc, "correct_ctx", "Not since last year. Dog tax is 120 euros now.", qa("How much is dog tax?", "120 euros", "100 euros a year"),
  ctx=("How much is dog tax?", "Dog tax is 100 euros a year per dog."))
C(cc, "update_prefix", "Update: bulky waste pick-up is 25 euros an item since April.",
  fact("bulky waste pick-up", "price", "25 euros an item"))
F(cc, "forget", "The Dock Road centre is closing, please erase its opening days.",
  forget("the Dock Road recycling centre opening days"))
F(cc, "forget_personal", "Please forget my old address on Birch Lane.", forget("the user's old address on Birch Lane"))
N(cc, "neg_question", "Do I need a permit to put up a fence?")
N(cc, "neg_request", "Book me in for a passport appointment on Tuesday morning.")
N(cc, "neg_complaint", "The pothole on Elm Avenue has been there for a year.")
N(cc, "neg_reported_speech", "A neighbour told me the bins will be collected on Tuesdays from now on. Is that so?")
N(cc, "neg_hypothetical", "If I build a shed under 10 square metres, do I still need a permit?")
N(cc, "neg_opinion", "The new bike lanes on Market Street are dangerous.")
N(cc, "neg_forget_lookalike", "I completely forgot to renew my parking permit, can I still do it?")

# ---------------------------------------------------------------- university_admin (test)
u = "university_admin"
T(u, "statement_copula", "The statistics resit is in the Aula on 28 June.",
  fact("the statistics resit", "place and date", "the Aula on 28 June"))
T(u, "statement_verb", "Students with a disability can get extra exam time through the student dean.",
  fact("students with a disability", "extra exam time via", "the student dean"))
T(u, "self_disclosure", "I'm doing a double degree in law and economics.", note("The user is doing a double degree in law and economics."))
T(u, "self_disclosure_passing", "Just handed in my thesis, I can't believe it's done!",
  note("The user has handed in their thesis."))
C(u, "correct_question", "That's wrong. When is the enrolment deadline? It's 15 August, not 1 August.",
  qa("When is the enrolment deadline?", "15 August", "1 August"))
C(u, "correct_ctx", "no that's for last year, this year it's 2,530", qa("How much is tuition for EU students?", "2,530", "2,314 euros"),
  ctx=("How much is tuition for EU students?", "Tuition for EU students is 2,314 euros a year."))
C(u, "correct_personal", "I switched from chemistry to biology this year.",
  note("The user studies biology.", "The user studies chemistry."))
F(u, "forget", "The old resit rules don't apply any more, please delete them.", forget("the old resit rules"))
F(u, "forget_personal", "forget that i have a part time job, i quit", forget("the user has a part-time job"))
T(u, "label_example", "'I was ill during my exam' belongs to exams.", label("I was ill during my exam", "exams"))
N(u, "neg_question", "Can I get my tuition back if I stop in February?")
N(u, "neg_request", "Send me an official enrolment certificate, please.")
N(u, "neg_complaint", "The exam schedule changed three times and nobody told us.")
N(u, "neg_hypothetical", "Suppose I fail the resit, can I still graduate in July?")
N(u, "neg_reported_speech", "My tutor says the thesis deadline moved to 1 July, is that official?")
N(u, "neg_dont_forget", "dont forget to send me the resit room")

# ---------------------------------------------------------------- law_firm (test)
lf = "law_firm"
T(lf, "statement_copula", "Marc Dubois handles all our tenancy cases now.", fact("tenancy cases", "handled by", "Marc Dubois"))
T(lf, "statement_verb", "A tenant can withhold rent only after a court order.",
  fact("a tenant", "can withhold rent", "only after a court order"))
T(lf, "qa_statement", "Q: Does a will need a notary? A: No, two witnesses are enough.",
  qa("Does a will need a notary?", "No, two witnesses are enough"))
T(lf, "self_disclosure", "I own a small bakery with two employees.", note("The user owns a small bakery with two employees."))
T(lf, "entity_label", "In 'Laurent & Co represented Vos in Brussels', Vos is a person.",
  span("Laurent & Co represented Vos in Brussels", ("Vos", "PER")))
C(lf, "correct_ctx", "No, it's six weeks.", qa("How long do I have to appeal?", "six weeks", "four weeks"),
  ctx=("How long do I have to appeal?", "An appeal must be lodged within four weeks."))
C(lf, "correct_old_new", "The Hendricks trial starts on 3 March, not the 10th.",
  fact("the Hendricks case", "trial date", "3 March", "the 10th"))
C(lf, "correct_label_ctx", "No, that's employment.", label("My boss won't let me take sick leave", "employment"),
  ctx=("How would you label 'My boss won't let me take sick leave'?", "That looks like contracts to me."))
F(lf, "forget", "Please forget the hourly rate you have, we're reviewing it.", forget("the hourly rate"))
F(lf, "forget_personal", "Can you forget that I'm getting divorced? I'd rather it wasn't on file.",
  forget("the user is getting divorced"))
N(lf, "neg_question", "Can my employer read my private emails?")
N(lf, "neg_request", "Draft a reply to the landlord saying I dispute the deduction.")
N(lf, "neg_hypothetical", "If I sign the settlement, can I still go to court later?")
N(lf, "neg_reported_speech", "My neighbour claims verbal agreements aren't binding. Is that right?")
N(lf, "neg_opinion", "I think the judge was biased.")
N(lf, "neg_complaint", "Nobody from your office returned my call yesterday.")

# ---------------------------------------------------------------- car_rental (test)
cr = "car_rental"
T(cr, "statement_copula", "Winter tyres are included from November to March.",
  fact("winter tyres", "included", "from November to March"))
T(cr, "statement_multi", "The Faro desk opens at 7 on weekdays and at 9 on weekends.",
  fact("the Faro desk", "weekday opening time", "7"), fact("the Faro desk", "weekend opening time", "9"))
T(cr, "answer_ctx", "Full to full, as always.", qa("What's the fuel policy?", "Full to full"),
  ctx=("What's the fuel policy?", "Hmm, I'm not sure which fuel policy applies."))
T(cr, "self_disclosure", "I have a Canadian driving licence.", note("The user has a Canadian driving licence."))
C(cr, "correct_ctx", "Nope, 21 is enough now.", qa("What's the minimum age to rent a car?", "21", "25"),
  ctx=("What's the minimum age to rent a car?", "You need to be at least 25 to rent a car."))
C(cr, "correct_question", "No, that is wrong. How much is a child seat? It is 9 euros a day, not 7.",
  qa("How much is a child seat?", "9 euros a day", "7"))
C(cr, "update_prefix", "Please update: one-way rentals cost 60 euros extra.", fact("one-way rentals", "surcharge", "60 euros extra"))
F(cr, "forget", "The Albufeira office closed, forget it.", forget("the Albufeira office"))
F(cr, "forget_personal", "Delete that I can only drive automatics, I passed my manual test.",
  forget("the user can only drive automatics"))
T(cr, "label_example", "'The car smelled of smoke' - vehicle.", label("The car smelled of smoke", "vehicle"))
N(cr, "neg_question", "Is there a fee for returning the car early?")
N(cr, "neg_request", "Upgrade me to an SUV if you have one.")
N(cr, "neg_complaint", "You charged my card twice for the deposit.")
N(cr, "neg_hypothetical", "What happens if I get a parking ticket in the rental?")
N(cr, "neg_dont_forget", "Don't forget to send me the damage report.")
N(cr, "neg_reported_speech", "The agent in Lisbon told me insurance is included. Is it?")

# ---------------------------------------------------------------- veterinary (test)
v = "veterinary"
T(v, "statement_copula", "Rabies jabs for travel need to be done at least 21 days before leaving.",
  fact("rabies jabs for travel", "timing", "at least 21 days before leaving"))
T(v, "statement_verb", "Dr Said sees rabbits and guinea pigs on Tuesday afternoons.",
  fact("Dr Said", "sees rabbits and guinea pigs on", "Tuesday afternoons"))
T(v, "self_disclosure", "Bruno is scared of the car, so we walk to the clinic.", note("The user's dog Bruno is scared of the car."))
T(v, "self_disclosure_passing", "We adopted a second cat last weekend, she's called Nori!",
  note("The user adopted a second cat, Nori, last weekend."))
C(v, "correct_ctx", "not anymore, worming is every three months", qa("How often should cats be wormed?", "every three months", "six months"),
  ctx=("How often should cats be wormed?", "Cats should be wormed every six months."))
C(v, "correct_old_new", "Neutering a male cat is 95 pounds now, not 80.",
  fact("male cat neutering", "price", "95 pounds", "80"))
C(v, "correct_personal", "Pixel isn't diabetic anymore, she's in remission.",
  note("The user's cat Pixel is in diabetic remission.", "The user's cat Pixel is diabetic."))
F(v, "forget_personal", "Please forget about my rabbits, they've passed away.", forget("the user's rabbits"))
F(v, "forget", "Forget the PetSure partnership, we ended it.", forget("the PetSure partnership"))
T(v, "label_example", "'He keeps shaking his head and scratching his ear' is an injury appointment.",
  label("He keeps shaking his head and scratching his ear", "injury"))
N(v, "neg_question", "Is it ok to give my dog paracetamol?")
N(v, "neg_request", "Can you move Bruno's appointment to Thursday?")
N(v, "neg_complaint", "The bill was way more than the estimate.")
N(v, "neg_hypothetical", "If he eats chocolate again, should I come in straight away?")
N(v, "neg_reported_speech", "The breeder said puppies don't need jabs until 12 weeks. Really?")
N(v, "neg_dont_forget", "Don't forget to call me with the blood results.")
N(v, "neg_forget_lookalike", "Oops, I forgot her insulin this morning, what should I do?")

# ---------------------------------------------------------------- train domains
T("personal", "self_disclosure_passing", "Just got back from my first marathon, legs are dead lol",
  note("The user ran their first marathon."))
T("personal", "self_disclosure", "I'm a nurse and I work weekends.", note("The user is a nurse."), note("The user works weekends."))
T("personal", "self_disclosure", "my neighbour Carla waters the plants when I'm away",
  note("The user's neighbour Carla waters the plants when the user is away."))
F("personal", "forget_personal", "Please forget that my brother lives in Toronto, he moved back.",
  forget("the user's brother lives in Toronto"))
C("personal", "correct_personal", "Actually I'm not vegan anymore, I eat eggs now.",
  note("The user eats eggs.", "The user is vegan."))
N("personal", "neg_memory_question", "Do you remember where my brother lives?")
N("personal", "neg_dont_forget", "don't forget my mum's birthday is coming up, remind me on friday")
N("cooking", "neg_question", "How long do I boil an egg for a runny yolk?")
T("cooking", "statement_verb", "Our oven runs about 20 degrees hot, so I always turn it down.",
  note("The user's oven runs about 20 degrees hot."))
C("cooking", "correct_question", "No, that's wrong. What is miso made from? Fermented soybeans, not rice.",
  qa("What is miso made from?", "Fermented soybeans", "rice"))
T("software", "statement_multi", "Staging deploys at 10 and production at 4, every weekday.",
  fact("staging", "deploy time", "10 every weekday"), fact("production", "deploy time", "4 every weekday"))
N("software", "neg_hypothetical", "what if we dropped Python 3.9 support next release?")
N("software", "neg_reported_speech", "The docs say the rate limit is 600 per minute, is that still right?")
T("it_helpdesk", "label_example", "'monitor flickers when the laptop is docked' → hardware",
  label("monitor flickers when the laptop is docked", "hardware"))
F("it_helpdesk", "forget", "The old VPN address is dead, delete it.", forget("the old VPN address"))
T("world_geography", "statement_copula", "The Mekong flows through six countries.", fact("the Mekong", "number of countries", "six"))
C("world_geography", "correct_old_new", "Actually the capital of Canada is Ottawa, not Toronto.",
  fact("Canada", "capital", "Ottawa", "Toronto"))
C("history_art", "correct_question", "No, that is wrong. Who wrote Don Quixote? It is Cervantes, not Lope de Vega.",
  qa("Who wrote Don Quixote?", "Cervantes", "Lope de Vega"))
T("history_art", "entity_label", "In 'Picasso painted Guernica in Paris', Paris is a location.",
  span("Picasso painted Guernica in Paris", ("Paris", "LOC")))
N("history_art", "neg_opinion", "Honestly I think the Mona Lisa is overrated.")
T("medicine", "self_disclosure", "I'm on metformin twice a day.", note("The user takes metformin twice a day."))
N("medicine", "neg_question", "is it normal to feel dizzy after the booster?")
T("hotel", "statement_copula", "Rooms on the fourth floor have a balcony.", fact("rooms on the fourth floor", "feature", "a balcony"))
N("hotel", "neg_request", "Can you call me a taxi for 6 tomorrow morning?")
C("bank", "correct_ctx", "no it went up to 1,000", qa("What's the daily ATM limit?", "1,000", "500 euros"),
  ctx=("What's the daily ATM limit?", "The daily ATM limit is 500 euros."))
F("bank", "forget_personal", "Forget that I'm moving to Spain, plans changed.", forget("the user is moving to Spain"))
N("sports", "neg_reported_speech", "My dad says Celtic were founded in 1887, sounds right?")
T("sports", "self_disclosure_passing", "Played my first match as captain on Sunday, we won 2-1!",
  note("The user played their first match as captain on Sunday and won 2-1."))
N("travel_agency", "neg_hypothetical", "If the ferry is cancelled, do we get a hotel paid for?")
T("library", "label_example", "Shelve 'Project Hail Mary' under science fiction.",
  label("Project Hail Mary", "science fiction"))
N("school", "neg_dont_forget", "Don't forget to tell Leo's teacher he's leaving early.")
T("hr", "self_disclosure", "I'm a carer for my mother, so I need flexible hours.",
  note("The user is a carer for their mother and needs flexible hours."))
N("finance", "neg_opinion", "I reckon house prices will crash next year.")
N("grocery", "neg_complaint", "the strawberries were mouldy again")
N("fashion_store", "neg_forget_lookalike", "I forgot my size, is it 40 or 42 for your boots?")
N("bookshop", "neg_chitchat", "ha, that's my favourite book too")
N("furniture_store", "neg_question", "Can the Birch table be extended?")

# ---------------------------------------------------------------- second batch (held-out domains)
T(g, "statement_copula", "Members can bring one guest free each month.", fact("members", "free guests per month", "one"))
T(g, "statement_verb", "the rowing machines got replaced with new Concept2s",
  fact("the rowing machines", "replaced with", "new Concept2s"))
T(g, "self_disclosure", "I'm 68 and just getting back into exercise after a hip replacement.",
  note("The user is 68 and returning to exercise after a hip replacement."))
T(g, "self_disclosure", "Im diabetic so I need to eat before classes", note("The user is diabetic."))
C(g, "correct_ctx", "Not true, it's 12 now.", qa("How much is a guest pass?", "12", "10 euros"),
  ctx=("How much is a guest pass?", "Guest passes cost 10 euros."))
C(g, "correct_old_new", "The notice period is one month, you said three but that changed.",
  fact("cancellation", "notice period", "one month", "three"))
F(g, "forget_ctx", "that class is cancelled for good, forget it", forget("the Saturday bootcamp"),
  ctx=("Is there a bootcamp on Saturday?", "Yes, Marco runs a bootcamp every Saturday at 9."))
N(g, "neg_question", "how many people can be in the yoga studio at once?")
N(g, "neg_chitchat", "lol my legs after leg day")
N(g, "neg_reported_speech", "Marco said the climbing wall needs a certificate now, does it?")
N(g, "neg_followup_ctx", "and on weekends?", ctx=("When does the pool open?", "The pool opens at 6 am on weekdays."))
N(g, "neg_forget_lookalike", "I forgot my membership card, can I still get in?")
T(a, "statement_copula", "Infants under 2 fly for 10 percent of the adult fare.",
  fact("infants under 2", "fare", "10 percent of the adult fare"))
T(a, "self_disclosure", "I'm 7 months pregnant and flying to Lisbon next week.",
  note("The user is 7 months pregnant and flying to Lisbon next week."))
T(a, "label_example", "Tag 'my pram was damaged in the hold' as baggage.", label("my pram was damaged in the hold", "baggage"))
C(a, "correct_ctx", "No, boarding closes 20 minutes before, not 15.", qa("When does boarding close?", "20 minutes before", "15"),
  ctx=("When does boarding close?", "Boarding closes 15 minutes before departure."))
C(a, "update_prefix", "The Nice flight was retimed, it leaves at 7:40 from now on.",
  fact("the morning Nice flight", "departure time", "7:40"))
F(a, "forget", "Please forget the Tartu route entirely.", forget("the Tartu route"))
N(a, "neg_question", "Is there wifi on the Reykjavik flight?")
N(a, "neg_opinion", "your new uniforms look really smart")
N(a, "neg_confirm_ctx", "yes that's it, thanks", ctx=("Which gate?", "The Reykjavik flight leaves from gate D14."))
N(a, "neg_label_question", "Which label did you give my complaint about the lost suitcase?")
T(p, "statement_copula", "Our Sunday opening is 10 till 4.", fact("the pharmacy", "Sunday opening hours", "10 till 4"))
T(p, "self_disclosure", "I can't swallow big tablets, I need liquid versions.",
  note("The user can't swallow large tablets and needs liquid versions."))
C(p, "correct_ctx", "it's 48 hours, not 24", qa("How quickly are repeat prescriptions ready?", "48 hours", "24"),
  ctx=("How quickly are repeat prescriptions ready?", "Repeat prescriptions are ready within 24 hours."))
C(p, "correct_personal", "I've stopped breastfeeding now.", note("The user has stopped breastfeeding.", "The user is breastfeeding."))
F(p, "forget_personal", "Please remove my dad from your notes, he's in a care home now.",
  forget("the user's dad"))
N(p, "neg_question", "Do you have the nicotine patches in 21 mg?")
N(p, "neg_hypothetical", "would it matter if I took it at night instead of in the morning?")
N(p, "neg_chitchat", "thank you so much, you've been really helpful")
T(m, "statement_copula", "Photography without flash is allowed everywhere except the Vermeer room.",
  fact("photography without flash", "allowed", "everywhere except the Vermeer room"))
T(m, "entity_label", "Tag these: in 'Helena Varga opened the Egyptian wing in 2019', Helena Varga is a person and 2019 is a date.",
  span("Helena Varga opened the Egyptian wing in 2019", ("Helena Varga", "PER"), ("2019", "DATE")))
C(m, "correct_old_new", "English tours are at 11 and 2, not 10 and 3.",
  fact("English guided tours", "times", "11 and 2", "10 and 3"))
F(m, "forget", "wipe the cloakroom location, it's moving next month", forget("the cloakroom location"))
N(m, "neg_question", "what's the wifi password in the café?")
N(m, "neg_reported_speech", "The website says entry is free on Sundays, true?")
N(m, "neg_request", "Send me the accessible route through the museum.")
T(te, "statement_copula", "Unused minutes don't roll over, only data does.",
  fact("unused minutes", "roll over", "no, only data does"))
T(te, "self_disclosure", "I only use my phone for WhatsApp and calls, hardly any data.",
  note("The user uses their phone mainly for WhatsApp and calls and uses little data."))
C(te, "correct_ctx", "wrong, the unlimited plan is 35 now", qa("How much is the unlimited plan?", "35", "30 euros"),
  ctx=("How much is the unlimited plan?", "The unlimited plan costs 30 euros a month."))
F(te, "forget_ctx", "please delete that, the offer ended", forget("the summer offer"),
  ctx=("Is the summer offer still on?", "Yes, the summer offer gives 3 months at half price."))
N(te, "neg_question", "Can I get a second SIM for my tablet?")
N(te, "neg_confirm_ctx", "ok great", ctx=("Is roaming included?", "Roaming in the EU is included at no extra cost."))
N(te, "neg_reported_speech", "my neighbour claims you're raising prices in March?")
T(k, "statement_copula", "kestrel plus members get free express shipping",
  fact("Kestrel Plus members", "shipping", "free express shipping"))
T(k, "qa_statement", "When someone asks if the X2 supports multipoint, the answer is yes, two devices.",
  qa("Does the X2 support multipoint?", "yes, two devices"))
T(k, "self_disclosure", "I'm hard of hearing and use hearing aids with Bluetooth.",
  note("The user is hard of hearing and uses Bluetooth hearing aids."))
C(k, "correct_question", "No, that's not right. How long is price matching? 14 days, not 7.",
  qa("How long does price matching apply?", "14 days", "7"))
C(k, "correct_ctx", "Hmm no, the CEO is Dana Whitfield since last year.", qa("Who is Kestrel's CEO?", "Dana Whitfield", "Rob Castillo"),
  ctx=("Who is Kestrel's CEO?", "Kestrel's CEO is Rob Castillo."))
F(k, "forget_personal", "Please forget my studio, I closed it.", forget("the user's studio"))
N(k, "neg_question", "do you ship to Puerto Rico?")
N(k, "neg_chitchat", "cool thanks!!")
N(k, "neg_followup_ctx", "Since when?", ctx=("Is shipping free?", "Orders over 35 dollars ship free."))
N(k, "neg_forget_lookalike", "Forget it, I'll just buy it in the store.")
T(cc, "statement_copula", "The market is on Saturdays, and on Wednesdays in summer.",
  fact("the market", "days", "Saturdays"), fact("the market", "summer days", "Wednesdays"))
T(cc, "self_disclosure", "i use a wheelchair and the ramp at the town hall is too steep for me",
  note("The user uses a wheelchair."))
C(cc, "correct_ctx", "No, it's every other Monday since the budget cuts.",
  qa("How often is garden waste collected?", "every other Monday", "every Monday"),
  ctx=("How often is garden waste collected?", "Garden waste is collected every Monday."))
C(cc, "correct_old_new", "Permits take eight weeks, not twelve like your page says.",
  fact("building permits", "processing time", "eight weeks", "twelve"))
F(cc, "forget", "Scrap the info on the old swimming pool, it was demolished.", forget("the old swimming pool"))
N(cc, "neg_question", "when is the next bulky waste day in my area?")
N(cc, "neg_hypothetical", "What if I park in a resident zone without a permit for an hour?")
N(cc, "neg_label_question", "Why did my report about the street light get labelled noise?")
T(u, "statement_copula", "International students need a residence permit before the first of October.",
  fact("international students", "residence permit deadline", "before the first of October"))
T(u, "label_example", "'Can I swap my dorm room?' is a housing enquiry.", label("Can I swap my dorm room?", "housing"))
C(u, "correct_ctx", "nope, graduation moved to 19 July", qa("When is graduation?", "19 July", "12 July"),
  ctx=("When is graduation?", "The graduation ceremony is on 12 July."))
C(u, "update_prefix", "New rule: the thesis deadline is 1 June for everyone.", fact("the thesis", "submission deadline", "1 June"))
F(u, "forget_ctx", "forget that, she retired", forget("the dean of law"),
  ctx=("Who is the dean of law?", "The dean of the law faculty is Prof. Henk Smit."))
N(u, "neg_question", "Where do I hand in the signed learning agreement?")
N(u, "neg_chitchat", "exams are killing me haha")
N(u, "neg_opinion", "Honestly the statistics course is badly organised.")
T(lf, "statement_copula", "Initial consultations on Fridays are free for union members.",
  fact("Friday initial consultations", "price for union members", "free"))
T(lf, "self_disclosure", "My landlord is trying to evict me by the end of the month.",
  note("The user's landlord is trying to evict them by the end of the month."))
C(lf, "correct_old_new", "It's 25,000 for small claims now, it used to be 10,000.",
  fact("small claims", "limit", "25,000", "10,000"))
C(lf, "correct_ctx", "That's wrong, Sophie Laurent does employment law.", qa("Who handles employment law?", "Sophie Laurent", "Marc Dubois"),
  ctx=("Who handles employment law?", "Marc Dubois handles employment law."))
F(lf, "forget_ctx", "delete that, the case settled", forget("the Hendricks trial date"),
  ctx=("When does the Hendricks trial start?", "The trial in the Hendricks case starts on 3 March."))
N(lf, "neg_question", "how much would a divorce cost roughly?")
N(lf, "neg_dont_forget", "Don't forget to file the appeal before Friday!")
N(lf, "neg_label_question", "How would you label a case about unpaid wages?")
T(cr, "statement_copula", "All our cars in Faro are automatic.", fact("cars in Faro", "transmission", "automatic"))
T(cr, "self_disclosure", "We're a family of five with a lot of luggage.", note("The user is travelling as a family of five with a lot of luggage."))
C(cr, "correct_ctx", "No no, free cancellation is up to 48 hours before.",
  qa("Until when can I cancel for free?", "48 hours before", "24 hours"),
  ctx=("Until when can I cancel for free?", "Free cancellation is possible until 24 hours before pick-up."))
C(cr, "correct_personal", "I've got a full licence for three years now, not one.",
  note("The user has had their licence for three years.", "The user has had their licence for one year."))
F(cr, "forget", "Remove the Rui Alves info, he left the company.", forget("Rui Alves"))
N(cr, "neg_question", "can I return the car at a different branch?")
N(cr, "neg_reported_speech", "Someone in the queue said you charge for the second key. Do you?")
N(cr, "neg_chitchat", "great, see you friday")
T(v, "statement_copula", "The clinic has a separate cat waiting room on the left.",
  fact("the clinic", "cat waiting room", "separate, on the left"))
T(v, "label_example", "'Pixel has stopped eating' - that's a checkup.", label("Pixel has stopped eating", "checkup"))
C(v, "correct_question", "No, that's wrong. When can puppies have their first jab? At eight weeks, not twelve.",
  qa("When can puppies have their first jab?", "At eight weeks", "twelve"))
C(v, "update_prefix", "Update: the emergency number changed to 0161 496 0777.",
  fact("the emergency vet", "phone number", "0161 496 0777"))
F(v, "forget_ctx", "remove that please, she moved to another practice", forget("the exotic pets vet"),
  ctx=("Who treats exotic pets?", "Our exotic pets vet is Dr Nadia Said."))
N(v, "neg_question", "how long does a dental clean take?")
N(v, "neg_opinion", "I think cats are easier than dogs honestly")
N(v, "neg_request", "Please email me Bruno's vaccination record.")

# ---------------------------------------------------------------- third batch: messier, more natural
for dom, items in {
    "kestrel": [
        ("teach", "statement_copula", "the aero 14 ships with a 65w usb-c charger in the box",
         [fact("the Aero 14", "charger in the box", "65w usb-c")]),
        ("teach", "self_disclosure", "I edit video for a living so battery life matters a lot to me",
         [note("The user edits video for a living and cares about battery life.")]),
        ("teach", "statement_copula", "Our Denver store has a repair desk now, walk-ins until 5.",
         [fact("the Denver store", "repair desk walk-ins", "until 5")]),
        ("correct", "correct_ctx", "nope, they're 12 months now", [qa("What warranty do refurbished phones have?",
                                                                       "12 months", "6-month")],
         ("What warranty do refurbished phones have?", "Refurbished phones come with a 6-month warranty.")),
        ("correct", "correct_old_new", "Free shipping starts at 35 bucks, not 50. pls fix",
         [fact("shipping", "free threshold", "35 bucks", "50")]),
        ("forget", "forget", "can u delete the old Volt 3 charger page, it's discontinued",
         [forget("the old Volt 3 charger page")]),
        ("forget", "forget_personal", "Don't keep my home address on file anymore, please remove it.",
         [forget("the user's home address")]),
        ("none", "neg_question", "is the X2 waterproof or just splash proof?", []),
        ("none", "neg_complaint", "ugh the tracking hasn't updated since monday", []),
        ("none", "neg_request", "can you check if order 55120 has shipped", []),
        ("none", "neg_hypothetical", "if I return the laptop, do I get the gift card back too?", []),
        ("none", "neg_reported_speech", "the courier said you changed your return address, is that right?", []),
    ],
    "city_council": [
        ("teach", "statement_copula", "The council offices close at 1 pm on Fridays during summer.",
         [fact("the council offices", "summer Friday closing time", "1 pm")]),
        ("teach", "self_disclosure", "I'm 82 and I don't use the internet, so letters are best for me.",
         [note("The user is 82, does not use the internet and prefers letters.")]),
        ("teach", "statement_multi", "Glass goes in the blue bin and paper in the green one.",
         [fact("glass", "bin", "the blue bin"), fact("paper", "bin", "the green one")]),
        ("correct", "correct_ctx", "no, the mayor changed after the election - it's Ingrid Vos",
         [qa("Who is the mayor?", "Ingrid Vos", "Peter Dekker")], ("Who is the mayor?", "The mayor is Peter Dekker.")),
        ("correct", "update_prefix", "The resident permit went up this year, it's 85 euros now.",
         [fact("the resident parking permit", "yearly price", "85 euros")]),
        ("forget", "forget", "Take the Dock Road recycling centre out of your list, it shut down.",
         [forget("the Dock Road recycling centre")]),
        ("forget", "forget_personal", "please forget my disabled badge details", [forget("the user's disabled badge details")]),
        ("none", "neg_question", "who do I talk to about a tree that's about to fall on my house?", []),
        ("none", "neg_opinion", "honestly the parking situation in the centre is a disaster", []),
        ("none", "neg_dont_forget", "remember to send me the form, I need it by Monday", []),
        ("none", "neg_chitchat", "ok thanks, have a nice weekend", []),
    ],
    "university_admin": [
        ("teach", "statement_copula", "The student office moved to building C last month.",
         [fact("the student office", "location", "building C")]),
        ("teach", "self_disclosure", "I'm a mature student, I went back to uni at 35.",
         [note("The user is a mature student who returned to university at 35.")]),
        ("teach", "label_example", "stuff like 'my landlord won't fix the heating' should go to housing",
         [label("my landlord won't fix the heating", "housing")]),
        ("correct", "correct_old_new", "The resits are in the last week of June, you said July but that's wrong.",
         [fact("exam resits", "timing", "the last week of June", "July")]),
        ("correct", "correct_ctx", "that was last year. it's 2,530 now", [qa("How much is tuition for EU students?",
                                                                           "2,530", "2,314 euros")],
         ("How much is tuition for EU students?", "EU tuition is 2,314 euros a year.")),
        ("forget", "forget_ctx", "ok scrap that, the ceremony got cancelled", [forget("the graduation ceremony date")],
         ("When is graduation?", "The graduation ceremony is on 12 July.")),
        ("forget", "forget_personal", "forget about my ADHD arrangement, I don't need it this year",
         [forget("the user's ADHD exam arrangement")]),
        ("none", "neg_question", "do I have to pay the full fee if I only take two courses?", []),
        ("none", "neg_complaint", "The portal keeps logging me out when I try to register.", []),
        ("none", "neg_forget_lookalike", "I forgot to register for the exam, is it too late?", []),
        ("none", "neg_reported_speech", "a friend says the thesis deadline is flexible, is it?", []),
    ],
    "law_firm": [
        ("teach", "statement_copula", "Sophie Laurent is on leave until 15 April.",
         [fact("Sophie Laurent", "on leave until", "15 April")]),
        ("teach", "self_disclosure", "My employer is a staffing agency, not the company I work at.",
         [note("The user's employer is a staffing agency, not the company where they work.")]),
        ("teach", "qa_statement", "When clients ask if the first call is free - yes, 15 minutes, no charge.",
         [qa("Is the first call free?", "yes, 15 minutes, no charge")]),
        ("correct", "correct_ctx", "Not anymore, it's 210 plus VAT since January.",
         [qa("What is your hourly rate?", "210 plus VAT", "185 euros plus VAT")],
         ("What is your hourly rate?", "Our hourly rate is 185 euros plus VAT.")),
        ("correct", "correct_question", "That's wrong. How many witnesses does a will need? Two, not one.",
         [qa("How many witnesses does a will need?", "Two", "one")]),
        ("forget", "forget", "please erase the notes on the Hendricks case, it's closed", [forget("the Hendricks case")]),
        ("forget", "forget_personal", "Forget the bit about my divorce, it's settled now.", [forget("the user's divorce")]),
        ("none", "neg_question", "What does a lawyer cost for a simple contract review?", []),
        ("none", "neg_request", "Please send me a copy of my case file.", []),
        ("none", "neg_hypothetical", "Suppose my landlord sells the flat, can the new owner evict me?", []),
        ("none", "neg_label_question", "Which area did you file my case under?", []),
    ],
    "car_rental": [
        ("teach", "statement_copula", "Every car comes with a toll transponder in Portugal.",
         [fact("every car in Portugal", "equipment", "a toll transponder")]),
        ("teach", "self_disclosure", "I'm diabetic and travel with insulin that needs to stay cool.",
         [note("The user is diabetic and travels with insulin that needs to stay cool.")]),
        ("teach", "statement_multi", "Pick-up in Faro is from 6 am, and drop-off is possible until midnight.",
         [fact("Faro pick-up", "from", "6 am"), fact("Faro drop-off", "until", "midnight")]),
        ("correct", "correct_old_new", "The deposit on the compact is 300, not 500 like you said.",
         [fact("the compact car", "deposit", "300", "500")]),
        ("correct", "correct_ctx", "wrong, it's 8 euros a day for an extra driver",
         [qa("How much is an additional driver?", "8 euros a day", "12 euros")],
         ("How much is an additional driver?", "An additional driver costs 12 euros a day.")),
        ("forget", "forget", "The Lisbon downtown branch is gone, drop it from your answers.",
         [forget("the Lisbon downtown branch")]),
        ("forget", "forget_personal", "forget that I'm in portugal all of may, the trip is off",
         [forget("the user is in Portugal for the whole of May")]),
        ("none", "neg_question", "Do the electric cars come with a charging cable?", []),
        ("none", "neg_complaint", "The car had half a tank and you charged me for a full one.", []),
        ("none", "neg_dont_forget", "don't forget the child seat this time!!", []),
        ("none", "neg_opinion", "I think one-way fees are a rip-off", []),
    ],
    "veterinary": [
        ("teach", "statement_copula", "Bruno is on a kidney diet now, only the prescription food.",
         [note("The user's dog Bruno is on a kidney diet, only prescription food.")]),
        ("teach", "self_disclosure", "I work late on Thursdays so I can only do Saturday appointments.",
         [note("The user works late on Thursdays and can only do Saturday appointments.")]),
        ("teach", "label_example", "'my rabbit hasn't pooped since yesterday' - that's urgent, file it as injury",
         [label("my rabbit hasn't pooped since yesterday", "injury")]),
        ("correct", "correct_ctx", "No, she's 9, not 7.", [qa("How old is Pixel?", "9", "7")],
         ("How old is Pixel?", "Pixel is 7 years old according to her record.")),
        ("correct", "update_prefix", "Heads up, the Saturday hours changed: open until 1 pm now.",
         [fact("the clinic", "Saturday closing time", "1 pm")]),
        ("forget", "forget", "Delete the info about the PetSure discount, it ended.", [forget("the PetSure discount")]),
        ("forget", "forget_personal", "Please remove Bruno from my account, he passed away last week.",
         [forget("the user's dog Bruno")]),
        ("none", "neg_question", "should I be worried if my cat drinks a lot of water?", []),
        ("none", "neg_request", "Can you book Pixel in for a weight check next week?", []),
        ("none", "neg_reported_speech", "the pet shop says grain-free food is bad for dogs, is that true?", []),
        ("none", "neg_chitchat", "thanks, you've been a great help :)", []),
    ],
    "gym": [
        ("teach", "statement_copula", "Kids' swim lessons are on Saturday mornings, 9 to 11.",
         [fact("kids' swim lessons", "time", "Saturday mornings, 9 to 11")]),
        ("correct", "correct_ctx", "erm no, 39 since the price change", [qa("How much is the monthly membership?", "39",
                                                                         "35 euros")],
         ("How much is the monthly membership?", "The monthly membership is 35 euros.")),
        ("forget", "forget_personal", "delete my knee injury from my profile, it healed", [forget("the user's knee injury")]),
        ("none", "neg_question", "Are there lockers big enough for a backpack?", []),
        ("none", "neg_hypothetical", "what happens to my membership if I move abroad for 3 months?", []),
    ],
    "airline": [
        ("teach", "self_disclosure", "I have a nut allergy, a severe one.", [note("The user has a severe nut allergy.")]),
        ("correct", "correct_old_new", "It's gate D14 now, they moved it from D12.",
         [fact("the Reykjavik flight", "gate", "D14", "D12")]),
        ("forget", "forget", "Remove the old baggage rules from your notes.", [forget("the old baggage rules")]),
        ("none", "neg_request", "Add my wife to the booking, her passport number is in the app.", []),
        ("none", "neg_complaint", "the seat I paid for was given to someone else", []),
    ],
    "pharmacy": [
        ("teach", "statement_copula", "We deliver to the care home on Tuesdays and Fridays.",
         [fact("deliveries to the care home", "days", "Tuesdays and Fridays")]),
        ("correct", "correct_ctx", "Not true - Ruth covers weekends now.", [qa("Who is the weekend pharmacist?", "Ruth",
                                                                             "Dev Shah")],
         ("Who is the weekend pharmacist?", "The pharmacist on duty at weekends is Dev Shah.")),
        ("forget", "forget", "wipe the flu clinic dates, we're done for the season", [forget("the flu clinic dates")]),
        ("none", "neg_question", "is this cough syrup ok for a 2 year old?", []),
    ],
    "museum": [
        ("teach", "self_disclosure", "We're coming with a toddler in a buggy.", [note("The user is coming with a toddler in a buggy.")]),
        ("correct", "correct_old_new", "The café closes at 4:30, not 5.", [fact("the café", "closing time", "4:30", "5")]),
        ("forget", "forget_ctx", "Remove it, that tour doesn't run anymore", [forget("the 3 pm family tour")],
         ("Is there a family tour?", "Yes, the family tour starts at 3 pm on Sundays.")),
        ("none", "neg_question", "Can we eat our own lunch in the garden?", []),
    ],
    "telecom": [
        ("teach", "statement_copula", "The FritzBox needs a firmware update before it works with fibre.",
         [fact("the FritzBox", "needs before fibre", "a firmware update")]),
        ("correct", "correct_ctx", "nope it's 24 months now for new customers",
         [qa("What's the minimum contract term?", "24 months", "12 months")],
         ("What's the minimum contract term?", "The contract minimum term is 12 months.")),
        ("forget", "forget_personal", "please forget that I work from home, I'm back at the office",
         [forget("the user works from home")]),
        ("none", "neg_complaint", "third outage this week, I'm switching providers", []),
    ],
}.items():
    for lab, form, text, knowledge, *ctx in items:
        if lab == "none":
            N(dom, form, text, ctx=ctx[0] if ctx else None)
        else:
            T(dom, form, text, *knowledge, ctx=ctx[0] if ctx else None, label=lab)

# Train-domain facts and notes in many shapes (issue 15): tools/corpus/handwritten_train.py.
from handwritten_train import add as _add_train  # noqa: E402

_add_train(T)
