#!/usr/bin/env python3
"""Generate a synthetic, realistic Campfire site for benchmarks.

    python3 bench/gen_corpus.py --stories N --terms T --cases C --out DIR \
        [--seed 1] [--hugo DIR2]

Writes DIR/site.yaml and DIR/content/{stories,glossary,cases,paths}/*.md.
With --hugo, also writes the SAME stories as a minimal Hugo site in DIR2.

The output is a pure function of the arguments (and of this file): the same
seed gives byte-identical files.  Text is assembled from CX-flavoured word
lists so that glossary terms and their aliases occur in stories at realistic
rates (a few popular terms such as NPS everywhere, a long tail of generated
multi-word terms a few dozen times each on a 10,000-story site).
"""

import argparse
import json
import os
import random
import re
import shutil
import sys

# --------------------------------------------------------------------------
# Site vocabulary
# --------------------------------------------------------------------------

DEPARTMENTS = [
    ("customer-care", "Customer Care"),
    ("logistics", "Logistics"),
    ("billing", "Billing"),
    ("field-service", "Field Service"),
    ("it", "IT"),
    ("compliance", "Compliance"),
    ("retail", "Retail Stores"),
    ("collections", "Collections"),
]
DEPT_IDS = [d for d, _ in DEPARTMENTS]
DEPT_NAME = dict(DEPARTMENTS)

JOURNEY = [
    ("Discover", ["website", "store", "advertising"]),
    ("Buy", ["checkout", "contract", "pricing"]),
    ("Receive", ["delivery", "installation", "onboarding"]),
    ("Use", ["mobile-app", "invoice", "support-call"]),
    ("Resolve", ["complaint", "returns", "repair"]),
    ("Renew", ["renewal", "loyalty", "collections-call"]),
]
TOUCHPOINTS = [t for _, ts in JOURNEY for t in ts]
TP_HUMAN = {t: t.replace("-", " ") for t in TOUCHPOINTS}
TP_HUMAN["mobile-app"] = "mobile app"

VALUES = ["ownership", "empathy", "going-beyond", "simplicity", "teamwork", "learning"]

# Touchpoints each department tends to write about (biases the sampling).
DEPT_TPS = {
    "customer-care": ["support-call", "complaint", "website", "mobile-app", "returns"],
    "logistics": ["delivery", "returns", "installation", "onboarding"],
    "billing": ["invoice", "pricing", "contract", "renewal"],
    "field-service": ["installation", "repair", "onboarding", "delivery"],
    "it": ["mobile-app", "website", "checkout", "onboarding"],
    "compliance": ["contract", "complaint", "advertising", "collections-call"],
    "retail": ["store", "checkout", "returns", "loyalty"],
    "collections": ["collections-call", "invoice", "renewal", "contract"],
}

ROLES = {
    "customer-care": ["Contact Centre Agent", "Team Lead, Contact Centre", "Complaints Specialist", "Chat Adviser", "Quality Coach"],
    "logistics": ["Route Planner", "Delivery Driver", "Depot Supervisor", "Warehouse Lead", "Returns Coordinator"],
    "billing": ["Billing Analyst", "Payments Specialist", "Billing Team Lead", "Pricing Analyst"],
    "field-service": ["Field Technician", "Dispatch Coordinator", "Installation Lead", "Service Engineer"],
    "it": ["Platform Engineer", "Product Owner, CRM", "Mobile Developer", "Data Analyst", "Service Desk Lead"],
    "compliance": ["Compliance Officer", "Data Protection Lead", "Complaints Reviewer", "Risk Analyst"],
    "retail": ["Store Manager", "Sales Adviser", "Assistant Store Manager", "Visual Merchandiser"],
    "collections": ["Collections Agent", "Financial Support Specialist", "Collections Team Lead", "Hardship Case Manager"],
}

FIRST_NAMES = """Marta Tomasz Colm Aisha Priya João Ana Luís Fátima Grace Kwame Inês Sven Mei Hiroshi
Olga David Sarah Rui Beatriz Chidi Nadia Omar Elena Pavel Siobhan Tariq Yusuf Lucia Henrik Amara Zoe
Ravi Camille Dmitri Leila Mateo Noor Keisha Finn Agnieszka Bruno Carmen Dara Emeka Freya Gustavo Hana
Ibrahim Jana Kofi Lena Miguel Niamh Oskar Paula Quentin Rosa Samir Tereza Ulla Viktor Wanjiru Xavier
Yara Zainab Aoife Bilal Clara Diego Esther Felix Giulia Hamza Irene Jonas Katarzyna Liam Marek Nuno""".split()

LAST_NAMES = """Kowalski Hart Murphy Okafor Silva Santos Costa Pereira Ferreira Nowak Ahmed Khan Patel
Nguyen Tanaka Larsen Novak Brennan Walsh O'Connor Mensah Osei Haddad Rossi Moreau Dubois Schmidt
Fischer Weber Janssen Jansen Lindqvist Berg Svensson Popescu Ionescu Horvat Kovač Garcia Martinez
Lopez Gonzalez Fernandes Oliveira Almeida Carvalho Rodrigues Mendes Byrne Kelly Doyle Quinn Lynch
Farouk Bello Adeyemi Kariuki Otieno Sato Suzuki Chen Wang Li Zhang Kim Park Ivanova Petrov Sokolova""".split()

PLACES = """Glenbrook Ashford Millbrook Riverside Northgate Eastfield Westmoor Kingsbridge Harbourside
Oakley Brampton Fairview Stonebridge Lakeside Hillcrest Redcliffe Elmstead Thornbury Marlow Seaton
Porto Braga Coimbra Faro Leeds Cork Galway Bristol Leicester Aveiro Setúbal Évora Limerick Derby""".split()

CUSTOMERS = [
    "a small bakery owner", "an 84-year-old customer living alone", "a family of five",
    "a night-shift nurse", "a farmer two hours from the nearest depot", "a student in their first flat",
    "a wheelchair user", "a customer who had just lost her husband", "a restaurant owner before the Friday rush",
    "a landlord with eleven rented flats", "a deaf customer who could not use the phone line",
    "a couple moving house with a newborn", "a self-employed electrician", "a primary school headteacher",
    "a customer recovering from surgery", "a long-distance lorry driver", "a florist on Valentine's week",
    "a retired teacher", "a customer who spoke little English", "a hospice nurse on call",
    "a carer looking after her mother", "a dairy farmer during calving season", "a shift worker at the port",
    "a customer with a visual impairment", "a single father of twins", "a small accounting firm",
    "a veterinary clinic", "a community centre", "a corner shop owner", "a parish council",
    "a customer who had been with us for 27 years", "a first-time buyer", "a gym owner",
    "a customer in temporary accommodation", "a charity shop volunteer", "a taxi driver",
]

PROBLEMS = [
    ("a double charge on the March invoice", "a double charge"),
    ("a missed installation slot", "missed installations"),
    ("a router that arrived without a power cable", "incomplete router deliveries"),
    ("a refund stuck between two systems", "stuck refunds"),
    ("a parcel left in the rain", "parcels left in the rain"),
    ("a renewal quote at twice last year's price", "renewal price shocks"),
    ("a direct debit taken on the wrong day", "mistimed direct debits"),
    ("a repair visit cancelled without notice", "cancelled repair visits"),
    ("a chat that ended mid-conversation", "dropped chats"),
    ("a washing machine delivered to the wrong address", "misdelivered appliances"),
    ("a password reset loop in the app", "the password reset loop"),
    ("an outage nobody told them about", "silent outages"),
    ("a meter reading estimated for the fourth time", "estimated meter readings"),
    ("a late-payment letter sent after they had paid", "wrong late-payment letters"),
    ("a contract that did not match what the store had promised", "contract mismatches"),
    ("a fridge-freezer that died in a heatwave", "the heatwave fridge"),
    ("a boiler repair that needed a part we did not stock", "missing boiler parts"),
    ("a returns label that would not print", "broken returns labels"),
    ("a final bill sent to a customer who had died", "bereavement billing"),
    ("a fault that three technicians could not find", "the invisible fault"),
    ("a price rise announced in small print", "small-print price rises"),
    ("a loyalty discount that silently expired", "expired loyalty discounts"),
    ("a collections call made on the day of a funeral", "badly timed collections calls"),
    ("a store exchange refused for a missing receipt", "refused exchanges"),
    ("a broadband line that dropped every evening", "evening broadband drops"),
    ("an invoice in a format their accountant could not read", "unreadable invoices"),
    ("a delivery window of eight hours", "eight-hour delivery windows"),
    ("a complaint that bounced between four teams", "bouncing complaints"),
    ("a payment plan the system would not accept", "rejected payment plans"),
    ("an app update that hid the balance", "the hidden balance"),
]

FIXES = [
    "a single checkbox on the booking screen", "one extra line in the confirmation SMS",
    "moving the note field to the top of the screen", "a shared queue between two teams",
    "a daily five-minute huddle", "letting agents issue credits up to €50 without approval",
    "a phone call before the letter instead of after it", "a plain-language version of the invoice",
    "a loan unit kept at every depot", "a callback booked at a time the customer chose",
    "a named owner for every open complaint", "a pause button on automated reminders",
    "printing the returns label in store", "a flag for customers in vulnerable circumstances",
    "a photo of the meter instead of an estimate", "a text when the technician leaves the previous job",
    "a spare part kit in every van", "a single page that explains the price change",
    "a weekly review of the oldest open cases", "sending the engineer who did the first visit",
]

PRODUCTS = [
    "broadband router", "fridge-freezer", "energy contract", "washing machine", "mobile plan",
    "boiler service plan", "smart meter", "television package", "home insurance policy",
    "dishwasher", "solar panel installation", "heat pump", "business phone line", "tablet",
]

TAGS = """winter summer heatwave storm elderly-customers small-business vulnerable-customers last-mile
billing-errors refunds accessibility bereavement first-visit repeat-contact outage app digital
store-staff drivers technicians handoffs process-change quick-win policy plain-language pricing
price-rise renewals payment-plans hardship debt metering data-quality privacy consent complaints
escalation ombudsman callbacks wait-times chat self-service onboarding moving-home new-customers
long-standing-customers loyalty retention win-back training coaching huddles recognition
cross-team root-cause automation sms email letters returns exchanges spare-parts installations
rural urban language-barrier deaf-customers visually-impaired carers students landlords
farmers restaurants schools charities weekend night-shift holidays christmas""".split()

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

QUOTES = [
    "I'm not angry, I'm just tired of explaining it again.",
    "You're the first person who has actually called me back.",
    "I don't need a discount, I need it to work.",
    "Nobody told me anything, so I assumed the worst.",
    "I've been a customer for twenty years and I felt like a number.",
    "Thank you for not making me repeat the whole story.",
    "I only wanted to know when someone would come.",
    "It's not the money, it's the principle.",
    "I didn't expect a real person to care about this.",
    "Honestly, I was ready to leave.",
    "Can you just tell me what happens next?",
    "My daughter usually does this for me, but she's away.",
]

HEADINGS = [
    "How it started", "What happened", "The situation", "What the customer told us", "What we did",
    "Why it mattered", "The numbers", "What we changed", "What we learned", "What we'd do differently",
    "Next steps",
]

# --------------------------------------------------------------------------
# Glossary: real CX terms first, then generated multi-word terms.
# (name, aliases, short, pt-name)
# --------------------------------------------------------------------------

BASE_TERMS = [
    ("Net Promoter Score", ["NPS"], "How likely customers are to recommend us, 0-10: % promoters minus % detractors.", "Net Promoter Score"),
    ("Customer satisfaction score", ["CSAT"], "Share of customers who rate an interaction 4 or 5 out of 5.", "índice de satisfação do cliente"),
    ("Customer effort score", ["CES"], "How easy customers say it was to get what they needed, on a 1-7 scale.", "índice de esforço do cliente"),
    ("First-contact resolution", ["FCR", "first call resolution"], "Share of issues solved in the customer's first contact, with no follow-up needed.", "resolução no primeiro contacto"),
    ("Touchpoint", ["touchpoints", "touch point"], "Any moment where a customer interacts with us or experiences something we did.", "ponto de contacto"),
    ("Customer journey", ["journey"], "Everything a customer goes through with us, from first hearing of us to leaving.", "jornada do cliente"),
    ("Detractor", ["detractors"], "A customer who answers 0-6 to the recommend question.", "detrator"),
    ("Promoter", ["promoters"], "A customer who answers 9-10 to the recommend question.", "promotor"),
    ("Passive", ["passives"], "A customer who answers 7-8: satisfied, but easy to win away.", "passivo"),
    ("Churn", ["churn rate", "attrition"], "Customers who leave in a period, as a share of those we had.", "taxa de abandono"),
    ("Moment of truth", ["moments of truth"], "An interaction that decides how the customer feels about us from then on.", "momento da verdade"),
    ("Voice of the customer", ["VoC"], "Everything customers tell us, in surveys, calls, complaints and reviews, gathered and acted on.", "voz do cliente"),
    ("Closed-loop feedback", ["closing the loop", "close the loop"], "Getting back to a customer about the feedback they gave and what we did with it.", "feedback em circuito fechado"),
    ("Average handle time", ["AHT"], "Average length of a contact including hold and wrap-up.", "tempo médio de atendimento"),
    ("Service level agreement", ["SLA", "SLAs"], "A promised response or resolution time.", "acordo de nível de serviço"),
    ("Customer lifetime value", ["CLV", "lifetime value"], "Expected margin from a customer over the whole relationship.", "valor do tempo de vida do cliente"),
    ("Pain point", ["pain points"], "A recurring moment of friction or frustration in the journey.", "ponto de dor"),
    ("Journey map", ["journey maps", "journey mapping"], "A picture of the customer journey stage by stage, with what customers do, think and feel.", "mapa da jornada"),
    ("Persona", ["personas"], "A realistic profile of a customer group used to design for real needs.", "persona"),
    ("Omnichannel", ["omni-channel"], "Letting customers move between channels without starting again.", "omnicanal"),
    ("Self-service", ["self service"], "Customers solving things themselves, in the app or on the website.", "autosserviço"),
    ("Escalation", ["escalations"], "Moving a case to someone with more authority or expertise.", "escalonamento"),
    ("Root cause analysis", ["RCA", "root cause"], "Finding why a problem happens rather than fixing each case.", "análise de causa raiz"),
    ("Service recovery", ["recovery"], "What we do after we let a customer down, to put it right.", "recuperação do serviço"),
    ("Customer retention", ["retention"], "Keeping customers; the opposite of churn.", "retenção de clientes"),
    ("Warm handoff", ["warm transfer"], "Passing a customer to a colleague while staying on the line to explain.", "transferência acompanhada"),
    ("Frontline", ["front line", "front-line staff"], "Colleagues who deal with customers directly.", "linha da frente"),
    ("Vulnerable customer", ["vulnerable customers", "customer in vulnerable circumstances"], "A customer who, because of their circumstances, is especially likely to be harmed.", "cliente vulnerável"),
    ("Proactive outreach", ["proactive contact"], "Contacting customers before they have to contact us.", "contacto proativo"),
    ("Repeat contact", ["repeat contacts", "repeat call"], "A customer contacting us again about the same issue.", "contacto repetido"),
    ("Abandonment rate", ["abandoned calls"], "Share of callers who hang up before reaching an agent.", "taxa de abandono de chamadas"),
    ("Survey fatigue", [], "Customers ignoring surveys because we send too many.", "fadiga de inquéritos"),
    ("Service blueprint", ["blueprint"], "A map of the journey that adds the back-office steps behind each touchpoint.", "blueprint de serviço"),
    ("Knowledge base", ["KB"], "The articles agents and customers use to answer questions.", "base de conhecimento"),
    ("Sentiment analysis", ["sentiment"], "Reading the emotion in customer comments at scale.", "análise de sentimento"),
    ("Contact centre", ["call centre", "contact center"], "The teams that answer customers by phone, chat and email.", "centro de contacto"),
    ("Time to resolution", ["resolution time", "TTR"], "Time from first contact to the issue being fixed.", "tempo de resolução"),
    ("On-time delivery", ["OTD"], "Share of deliveries that arrive in the promised window.", "entrega a tempo"),
    ("First-time fix", ["first-time fix rate", "FTF"], "Share of repairs completed in the first visit.", "reparação à primeira"),
    ("Goodwill gesture", ["goodwill credit"], "A credit or small gift that acknowledges we got it wrong.", "gesto de boa vontade"),
    ("Loyalty programme", ["loyalty scheme"], "Rewards for staying and buying again.", "programa de fidelização"),
    ("Win-back", ["win back"], "Bringing back a customer who has left.", "reconquista"),
    ("Customer health score", ["health score"], "A score that predicts whether a customer is likely to stay.", "índice de saúde do cliente"),
    ("Cost to serve", [], "What it costs us to look after a customer, per year or per contact.", "custo de servir"),
    ("Complaint handling", ["complaints handling"], "How we receive, investigate and answer complaints.", "tratamento de reclamações"),
    ("Empathy map", ["empathy maps"], "What a customer says, thinks, does and feels at a moment of the journey.", "mapa de empatia"),
    ("Customer success", [], "Helping customers get the outcome they bought, not only the product.", "sucesso do cliente"),
    ("Renewal rate", [], "Share of customers who renew when their contract ends.", "taxa de renovação"),
    ("Effortless experience", ["low-effort experience"], "An experience where the customer does not have to push to get things done.", "experiência sem esforço"),
    ("Customer obsession", [], "Starting every decision from what the customer needs.", "obsessão pelo cliente"),
    ("Service design", [], "Designing how a service works end to end, front and back office.", "design de serviços"),
    ("Outside-in thinking", ["outside-in"], "Looking at our processes the way a customer experiences them.", "pensamento de fora para dentro"),
    ("Hardship support", ["hardship fund", "financial hardship"], "Help for customers who cannot pay because of their circumstances.", "apoio em dificuldades financeiras"),
    ("Silent churn", [], "Customers who stop using us without telling us or complaining.", "abandono silencioso"),
    ("Customer advocacy", ["advocacy"], "Customers recommending us of their own accord.", "defesa do cliente"),
    ("Handoff", ["handoffs", "hand-off"], "A point where a case passes from one team or system to another.", "passagem de testemunho"),
    ("Backlog", ["backlogs"], "Work waiting to be done, such as open cases or unprocessed returns.", "trabalho pendente"),
    ("Huddle", ["huddles", "team huddle"], "A short stand-up meeting to share what customers told us.", "reunião rápida"),
]

GEN_MODIFIERS = [
    ("proactive", "proativo"), ("assisted", "assistido"), ("same-day", "no mesmo dia"),
    ("end-to-end", "de ponta a ponta"), ("tiered", "escalonado"), ("guided", "guiado"),
    ("predictive", "preditivo"), ("scheduled", "agendado"), ("priority", "prioritário"),
    ("digital", "digital"), ("shared", "partilhado"), ("rapid", "rápido"), ("silent", "silencioso"),
    ("automated", "automático"), ("personal", "pessoal"), ("seasonal", "sazonal"),
    ("flexible", "flexível"), ("continuous", "contínuo"), ("local", "local"), ("joint", "conjunto"),
    ("remote", "remoto"), ("preferred", "preferencial"), ("extended", "alargado"),
    ("informal", "informal"), ("open", "aberto"), ("weekly", "semanal"), ("monthly", "mensal"),
    ("frontline", "de linha da frente"), ("blended", "misto"), ("adaptive", "adaptativo"),
]
GEN_AREAS = [
    ("delivery", "entrega"), ("billing", "faturação"), ("returns", "devoluções"),
    ("installation", "instalação"), ("renewal", "renovação"), ("onboarding", "integração"),
    ("repair", "reparação"), ("complaint", "reclamação"), ("collections", "cobranças"),
    ("checkout", "pagamento"), ("contract", "contrato"), ("loyalty", "fidelização"),
    ("payment", "pagamento"), ("refund", "reembolso"), ("appointment", "marcação"),
    ("callback", "chamada de retorno"), ("account", "conta"), ("outage", "falha de serviço"),
    ("identity", "identidade"), ("tariff", "tarifário"), ("meter", "contador"), ("warranty", "garantia"),
    ("store", "loja"), ("chat", "chat"), ("survey", "inquérito"),
]
GEN_CONCEPTS = [
    ("review", "revisão"), ("window", "janela"), ("handover", "passagem"), ("index", "índice"),
    ("queue", "fila"), ("playbook", "manual"), ("audit", "auditoria"), ("flag", "sinalização"),
    ("promise", "promessa"), ("threshold", "limiar"), ("ladder", "escada"), ("board", "painel"),
    ("charter", "carta"), ("credit", "crédito"), ("triage", "triagem"), ("checklist", "lista de verificação"),
    ("pledge", "compromisso"), ("forecast", "previsão"), ("cadence", "cadência"), ("register", "registo"),
    ("matrix", "matriz"), ("scorecard", "cartão de pontuação"), ("protocol", "protocolo"),
    ("dashboard", "painel de indicadores"), ("guarantee", "garantia"),
]

ACRONYM_BLOCK = {
    "AND", "THE", "FOR", "ARE", "BUT", "NOT", "YOU", "ALL", "ANY", "CAN", "HAD", "HER", "WAS", "ONE",
    "OUR", "OUT", "DAY", "GET", "HAS", "HIM", "HIS", "HOW", "MAN", "NEW", "NOW", "OLD", "SEE", "TWO",
    "WAY", "WHO", "BOY", "DID", "ITS", "LET", "PUT", "SAY", "SHE", "TOO", "USE", "SAD", "BAD", "MAD",
    "CAT", "DOG", "PAR", "PDF", "CAR", "BAR", "ACT", "ART", "AIR", "BOX", "MAP", "PAY", "FAR", "WAR",
    "SET", "RAN", "RUN", "SUN", "FUN", "GAS", "ASK", "ARM", "EYE", "LAW", "LOW", "ROW", "TAX", "TOP",
    "CAP", "TAP", "RAP", "LAP", "MOP", "POP", "FIT", "HIT", "KIT", "SIT", "WIT", "PRO", "CON", "APP",
    "ADD", "AID", "AIM", "BAN", "BET", "BIT", "BUS", "BUY", "CUT", "DUE", "END", "ERA", "FAN", "FEE",
    "FEW", "FIX", "FLY", "GAP", "GOT", "GUN", "ICE", "ILL", "JOB", "KEY", "LAY", "LED", "LEG", "LIE",
    "LOT", "MIX", "NET", "NOR", "ODD", "OFF", "OIL", "OWN", "PEN", "PER", "PIE", "PIN", "RAW", "RED",
    "SAW", "SEA", "SIX", "SKY", "SON", "TEN", "TIE", "TIP", "TRY", "VIA", "WET", "WIN", "YES", "YET",
}

# --------------------------------------------------------------------------
# Sentence templates.  Slots: {name} {name2} {cust} {problem} {fix} {team}
# {team2} {tp} {tp2} {place} {product} {n} {days} {hours} {pct} {weekday}
# {month} {term} {quote} {years} {code}
# --------------------------------------------------------------------------

INTRO = [
    "On a {weekday} morning in {month}, {cust} called our {tp} line about {problem}.",
    "It started with {problem} that nobody had noticed for {days} days.",
    "{name} had been on the {team} team for {years} years when {problem} landed on the queue.",
    "Most weeks, {problem} is routine for the {team} team. This one was not.",
    "We first heard about {cust} through a {tp} survey: a {n} out of ten and a comment that simply said \"{quote}\"",
    "This is a story about {problem}, and about what happens when nobody owns the whole {tp} experience.",
    "The case came in on a {weekday} afternoon, flagged by {name} from {team2}.",
    "In {month} our {place} depot started seeing the same complaint every day: {problem}.",
    "{cust_cap} in {place} had been trying to sort out {problem} for {days} days before the case reached {name}.",
]

SENTENCES = [
    "The {team} team owns that process, but the customer sees one company, not our organisation chart.",
    "Nobody had broken a rule; the rules themselves were the problem.",
    "We rang the customer back within {hours} hours, before they had to chase us.",
    "It took {n} phone calls, two emails and one very patient supervisor.",
    "The fix itself was small: {fix}.",
    "{name} read the whole case history before picking up the phone, which took ten minutes and saved an hour.",
    "The customer did not want compensation; they wanted someone to tell them what would happen next.",
    "Looking back, every step made sense on its own, and together they made no sense at all.",
    "We asked {team2} for help, and they had a workaround ready within the day.",
    "The script told agents to offer a callback in five working days, which is a long time when {problem} is still going on.",
    "By the end of the week the case was closed, but the questions it raised were not.",
    "The data showed that {pct}% of customers who hit this issue contacted us again within a week.",
    "Most of those contacts were customers asking for an update that we could have sent them automatically.",
    "We mapped the steps on a whiteboard and counted {n} places where the case could get stuck.",
    "{name2} from {team2} joined the call, so the customer did not have to explain everything twice.",
    "The {product} was the easy part; the paperwork around it was not.",
    "There was no policy for this, so {name} wrote one down and sent it to the team lead the same evening.",
    "Our systems said the order was complete, which was true for the system and false for the customer.",
    "The customer's {years}-year history with us was not visible on the screen the agent was using.",
    "We changed the wording of the {tp} message so that it says what happens next, not only what went wrong.",
    "It is easy to forget that a {tp} is a person's evening, not a ticket number.",
    "The team now reviews a handful of cases like this one every {weekday}.",
    "Three weeks later the same customer called to renew, and asked for {name} by name.",
    "None of this needed a project or a budget, only permission.",
    "What surprised us was how many colleagues had seen the same thing and assumed someone else would fix it.",
    "The old process had {n} steps and four of them were there to protect us, not the customer.",
    "We now measure how long customers wait between {tp} and {tp2}, not only how long each step takes.",
    "Since the change, complaints about {problem} have dropped by about {pct}%.",
    "The technician left a card with a direct number, and the customer used it exactly once, to say thank you.",
    "Ticket {code} stayed open for {days} days while three teams each waited for one of the others.",
    "{name} wrote down what the customer said, word for word, and pasted it into the case.",
    "The first agent had done everything right by the book, and the customer still hung up angrier than before.",
    "We had a process for the common case and nothing at all for this one.",
    "The customer had already explained the problem to {n} different people before {name} picked it up.",
    "On paper the {tp} took four minutes; in real life it took most of a day.",
    "Half of the fix was technical and half of it was simply saying sorry properly.",
    "The team lead backed the decision straight away, which made it easy to do the right thing next time.",
    "We checked the last {n}00 cases and found the same pattern in about one in ten.",
    "The refund itself was €{n}7, and it cost us far more to argue about it than to pay it.",
    "{name2} rebuilt the report over a weekend so that it showed the oldest cases first.",
    "The customer asked for one thing: a name and a number to call if it happened again.",
    "Nobody in {team2} had known this was happening, because nobody had ever told them.",
    "When we played the call recording in the team meeting, the room went very quiet.",
    "We tried the change in {place} for a month before rolling it out everywhere.",
    "The {product} arrived on the {weekday}, exactly when we said it would, which was the whole point.",
    "A field called `customer_note` had been there all along; it was just on the third tab.",
    "The automatic reminder kept firing while the case was open, so we added a way to pause it.",
    "Our own colleagues were customers too, and several of them had hit exactly the same wall.",
    "It was not a training problem; the screen simply did not show the information the agent needed.",
    "The best ideas came from the people who do the work every day, not from the project board.",
]

TERM_SENTENCES = [
    "Our {term} for {tp} had been flat for months, and the comments kept pointing at the same thing.",
    "What made the difference was that {name} treated it as a {term} problem, not a {team} ticket.",
    "In the weekly huddle we talked about {term} and how it shows up at the {tp}.",
    "This is exactly the kind of case our training calls a {term}.",
    "The {team} dashboard tracks {term}, but the number alone would never have told us this story.",
    "{name} had just come back from the {term} workshop and recognised the pattern straight away.",
    "If you want a single example of {term} in practice, this is it.",
    "We had been reporting {term} every month without ever asking what sat behind it.",
    "Looking at {term} by region showed that {place} was an outlier, and not in a good way.",
    "The conversation with {team2} changed once we described it in terms of {term}.",
    "Nobody on the call had used the words {term} before, but everyone knew what we meant.",
    "The case made {term} concrete for the whole team in a way no slide deck ever had.",
    "We added {term} to the agenda of the monthly review with {team2}.",
    "A week later {term} for the {place} area was up by {n} points.",
]

BULLETS = [
    "{fix_cap}.",
    "Agents can now issue a goodwill credit of up to €{n}0 without asking a manager.",
    "The {tp} page now says what happens next and when.",
    "We review every {term} comment from the {tp} in the {weekday} huddle.",
    "{team_cap} and {team2} share one queue for cases like this.",
    "Every open case has a named owner, and the owner's name is on the customer's letter.",
    "Customers can choose a callback time instead of waiting on hold.",
    "The note field is now the first thing an agent sees, not the last.",
    "{name2} runs a short session on {term} for new starters in {team2}.",
    "Letters about {problem_short} are checked by a person before they are sent.",
    "We track {term} for this journey separately, so we can see if the change holds.",
    "Drivers and technicians can flag a vulnerable customer from their handheld.",
    "The {product} checklist now includes the accessories customers most often miss.",
]

LINK_SENTENCES = [
    "[{title}]({href}) describes a very similar case from {team2}.",
    "We borrowed the idea from [a story the {place} team shared last year]({href}).",
    "If this sounds familiar, read [{title}]({href}).",
    "(The same thing happened in [{title}]({href}), with a different ending.)",
    "{name2} pointed us to [{title}]({href}), which is where the callback idea came from.",
]

OUTCOMES = [
    "The customer had a working {product} within {hours} hours and stayed with us.",
    "The complaint was closed in {days} days instead of the usual {n}0.",
    "The customer renewed and left a {n2}-point comment about the agent by name.",
    "The charge was refunded the same day and the process changed for everyone.",
    "No repeat contact in the following {n} months.",
    "The customer became a promoter and recommended us to two neighbours.",
    "The fix now covers about {n},000 customers a year.",
]

# Portuguese text for translated terms.
PT_SENTENCES = [
    "A {termo} é um conceito que usamos em todas as equipas para falar da experiência do cliente.",
    "Na prática, a {termo} mostra onde o cliente sente mais esforço e onde a nossa promessa falha.",
    "Quando a {termo} piora, a primeira coisa a fazer é ler os comentários dos clientes, não os números.",
    "Cada departamento vê a {termo} de forma diferente, e é por isso que este glossário tem uma secção por equipa.",
    "Um erro comum é tratar a {termo} como um objetivo individual; ela serve para saber onde olhar.",
    "A satisfação do cliente depende menos do preço do que da confiança em que resolvemos o problema à primeira.",
    "Exemplo: em {ano}, a equipa de {equipa} reduziu as reclamações em {n}% depois de mudar uma única mensagem.",
    "Não é preciso um projeto para melhorar a {termo}: muitas vezes basta uma conversa entre duas equipas.",
]
PT_LENS = [
    "Para a equipa de {equipa}, a {termo} significa saber o que o cliente espera em cada contacto.",
    "Na {equipa}, a {termo} aparece nos pedidos repetidos e nas chamadas que podiam ter sido evitadas.",
    "A {termo} lembra-nos que cada passo do processo de {equipa} é visto pelo cliente.",
    "Em {equipa}, medimos a {termo} todas as semanas e discutimo-la na reunião de equipa.",
]
PT_DEPT = {
    "customer-care": "Apoio ao Cliente", "logistics": "Logística", "billing": "Faturação",
    "field-service": "Assistência Técnica", "it": "Informática", "compliance": "Conformidade",
    "retail": "Lojas", "collections": "Cobranças",
}

LENS_TEMPLATES = [
    "For {dept}, {term_l} is about {concern}.",
    "In {dept} you see {term_l} in {evidence}; if it goes wrong, the customer notices before we do.",
    "{dept} owns part of {term_l}: {concern}, and handing over cleanly to the next team.",
    "What {term_l} means in {dept}: {evidence}, measured weekly and discussed in the huddle.",
]
DEPT_CONCERNS = {
    "customer-care": ("whether the customer gets a real answer the first time they ask", "post-call surveys and repeat calls"),
    "logistics": ("keeping the delivery promise and telling customers early when we cannot", "late and failed deliveries"),
    "billing": ("invoices that customers understand without having to call us", "disputed charges and billing calls"),
    "field-service": ("fixing it on the first visit and leaving the home as we found it", "second visits and missed appointments"),
    "it": ("the messages and screens our systems show customers, and the data behind them", "failed notifications and app errors"),
    "compliance": ("making sure every promise and disclosure at this step is correct and fair", "complaints that reach the ombudsman"),
    "retail": ("honest advice at the counter and stock that matches what the website says", "store visits that end without a sale"),
    "collections": ("treating customers in difficulty fairly and agreeing plans they can keep", "broken payment plans and hardship referrals"),
}

DEF_SENTENCES = [
    "We use it to decide where to look first, not as a target for individuals.",
    "The number on its own says little; the comments behind it say a lot.",
    "It is reported monthly per journey stage and weekly for the touchpoints that are under review.",
    "Small samples swing wildly, so compare quarters rather than weeks for a single team.",
    "Most improvements we have seen came from fixing a handoff between two teams, not from a new tool.",
    "Ask what the customer was trying to do, then look at how many steps it took them.",
    "Every department touches it, which is exactly why it is easy for nobody to own it.",
    "When it gets worse, look for a recent process or system change before blaming the frontline.",
    "It works best when the people who talk to customers can change the process, not only report on it.",
    "Trainers use the stories tagged with this term as examples in the induction course.",
]

METRICS = [
    ("Net Promoter Score", "points", "higher", (-15, 30), (5, 30), 0),
    ("Customer satisfaction", "%", "higher", (58, 80), (3, 15), 0),
    ("First-contact resolution", "%", "higher", (45, 70), (5, 20), 0),
    ("Average handle time", "min", "lower", (6.0, 12.0), (0.5, 3.0), 1),
    ("Repeat contacts within 7 days", "%", "lower", (12, 30), (3, 12), 0),
    ("Complaints per 1,000 orders", None, "lower", (4.0, 15.0), (1.0, 5.0), 1),
    ("On-time delivery", "%", "higher", (70, 90), (2, 9), 0),
    ("First-time fix rate", "%", "higher", (60, 80), (4, 15), 0),
    ("Days to resolve a complaint", "days", "lower", (8, 30), (2, 12), 0),
    ("Churn at renewal", "%", "lower", (10, 25), (2, 8), 1),
    ("Customer effort score", "points", "lower", (3.5, 5.5), (0.3, 1.5), 1),
    ("Billing disputes per month", None, "lower", (200, 900), (50, 300), 0),
    ("Abandoned calls", "%", "lower", (8, 22), (2, 10), 0),
    ("App store rating", "stars", "higher", (2.5, 3.8), (0.3, 1.0), 1),
]

INDUSTRIES = ["Utilities", "Telecoms", "Retail", "Home appliances", "Insurance", "Logistics", "Energy", "Banking"]
ORG_A = ["North", "Blue", "Bright", "Harbour", "Green", "River", "Summit", "Oak", "Atlantic", "Meridian", "Iron", "Silver"]
ORG_B = ["Energy", "Telecom", "Homes", "Retail Group", "Utilities", "Appliances", "Mutual", "Networks", "Logistics", "Water"]

CASE_HEADINGS = ["Background", "What customers told us", "What we changed", "Results", "What we'd do differently"]

TITLE_TEMPLATES = [
    "The {product}, the {weather} and {cust_short}",
    "How {name} turned {problem_short} into a thank-you card",
    "{problem_short_cap}: fixed in {days} days",
    "What {cust_short} taught the {team} team",
    "One phone call that saved a {years}-year customer",
    "When the {tp} was the problem",
    "{name} and the {place} {product}",
    "Closing the loop on {problem_short}",
    "The day {team} and {team2} shared a queue",
    "Why we stopped sending the {tp} letter",
    "A {weekday} in {place}",
    "From {n} calls to one",
]
WEATHER = ["snowstorm", "heatwave", "flood", "power cut", "bank holiday", "school run", "night shift"]


def slugify(s):
    s = s.lower()
    for a, b in (("ç", "c"), ("ã", "a"), ("á", "a"), ("é", "e"), ("ê", "e"), ("í", "i"), ("ó", "o"), ("õ", "o"), ("ú", "u"), ("â", "a"), ("ô", "o")):
        s = s.replace(a, b)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s


def q(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def qlist(items):
    return "[" + ", ".join(q(i) for i in items) + "]"


def idlist(items):
    return "[" + ", ".join(items) + "]"


def cap(s):
    return s[:1].upper() + s[1:]


SHORT_PROBLEM = dict(PROBLEMS)
PROBLEMS = [p for p, _ in PROBLEMS]


def short_problem(p):
    return SHORT_PROBLEM[p]


# --------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------

class Term:
    __slots__ = ("slug", "name", "aliases", "short", "pt", "surfaces", "area", "idx")


def build_terms(rng, count):
    terms = []
    used = set()  # lowercased names and aliases

    def add(name, aliases, short, pt, area=None):
        t = Term()
        t.name, t.short, t.pt, t.area = name, short, pt, area
        t.slug = slugify(name)
        t.aliases = [a for a in aliases if a.lower() not in used and a.lower() != name.lower()]
        used.add(name.lower())
        for a in t.aliases:
            used.add(a.lower())
        t.surfaces = [name] + t.aliases
        t.idx = len(terms)
        terms.append(t)

    for name, aliases, short, pt in BASE_TERMS[:count]:
        add(name, aliases, short, pt)

    combos = [(m, a, c) for m in GEN_MODIFIERS for a in GEN_AREAS for c in GEN_CONCEPTS]
    rng.shuffle(combos)
    ci = 0
    while len(terms) < count:
        if ci >= len(combos):
            raise SystemExit(f"gen_corpus: cannot generate more than {len(terms)} distinct terms")
        (m, mpt), (a, apt), (c, cpt) = combos[ci]
        ci += 1
        name = cap(f"{m} {a} {c}")
        if name.lower() in used or slugify(name) in {t.slug for t in terms[-50:]}:
            continue
        aliases = []
        r = rng.random()
        if r < 0.35:
            acr = "".join(w[0] for w in re.split(r"[ -]", name) if w).upper()
            if 3 <= len(acr) <= 5 and acr not in ACRONYM_BLOCK and acr.lower() not in used:
                aliases.append(acr)
        if rng.random() < 0.3:
            shortform = f"{a} {c}"  # e.g. "delivery window"
            if shortform.lower() not in used:
                aliases.append(shortform)
        if rng.random() < 0.2:
            aliases.append(f"{m} {a} {c}es" if c.endswith(("s", "x", "ch")) else f"{m} {a} {c}s")
        short = (f"The {c} we use for {a} cases handled the {m} way: "
                 f"who does what, when, and how the customer hears about it.")
        pt = f"{cpt} de {apt} {mpt}"
        add(name, aliases, short, pt, area=a)
    return terms


class Story:
    __slots__ = ("i", "slug", "title", "dept", "tps", "date")


def pick_date(rng, y0=2019, y1=2026):
    y = rng.randint(y0, y1)
    m = rng.randint(1, 6 if y == y1 else 12)
    d = rng.randint(1, 28)
    return f"{y:04d}-{m:02d}-{d:02d}"


class Ctx(dict):
    """Per-entry slot values."""


class _Slots(dict):
    def __init__(self, c, **extra):
        super().__init__(c)
        self.update(extra)


class Writer:
    def __init__(self, rng, terms, stories, cases):
        self.rng = rng
        self.terms = terms
        self.stories = stories
        self.cases = cases
        n_base = min(len(BASE_TERMS), len(terms))
        # 55% of mentions go to the well-known terms (Zipf-ish), the rest uniform.
        self.base_weights = [1.0 / (k + 1) ** 0.8 for k in range(n_base)]
        self.n_base = n_base

    def pick_term(self):
        rng = self.rng
        if rng.random() < 0.55 or len(self.terms) == self.n_base:
            return rng.choices(self.terms[: self.n_base], weights=self.base_weights)[0]
        return self.terms[rng.randrange(len(self.terms))]

    def surface(self, t):
        rng = self.rng
        s = t.name if (not t.aliases or rng.random() < 0.6) else rng.choice(t.aliases)
        # Lower-case everything but acronyms and proper nouns like "Net Promoter Score".
        if sum(ch.isupper() for ch in s) < 2 and not (s == t.name and s.istitle() and " " in s and rng.random() < 0.5):
            s = s.lower()
        if rng.random() < 0.12:
            s = f"**{s}**"
        return s

    def ctx(self, dept):
        rng = self.rng
        team2 = rng.choice([d for d in DEPT_IDS if d != dept])
        tps = rng.sample(TOUCHPOINTS, 2)
        problem = rng.choice(PROBLEMS)
        c = Ctx(
            name=rng.choice(FIRST_NAMES), name2=rng.choice(FIRST_NAMES),
            cust=rng.choice(CUSTOMERS), problem=problem, problem_short=short_problem(problem),
            fix=rng.choice(FIXES), team=DEPT_NAME[dept], team2=DEPT_NAME[team2],
            tp=TP_HUMAN[rng.choice(DEPT_TPS[dept])], tp2=TP_HUMAN[tps[1]],
            place=rng.choice(PLACES), product=rng.choice(PRODUCTS),
            weekday=rng.choice(WEEKDAYS), month=rng.choice(MONTHS), quote=rng.choice(QUOTES),
            years=rng.randint(2, 30), weather=rng.choice(WEATHER),
        )
        c["cust_cap"] = cap(c["cust"])
        c["team_cap"] = cap(c["team"])
        c["fix_cap"] = cap(c["fix"])
        c["problem_short_cap"] = cap(c["problem_short"])
        c["cust_short"] = " ".join(c["cust"].split()[:3])
        return c

    def fill(self, tpl, c):
        rng = self.rng
        out = tpl
        if "{term}" in out:
            out = out.replace("{term}", self.surface(self.pick_term()), 1)
        return out.format_map(_Slots(c,
            n=rng.randint(2, 9), n2=rng.randint(9, 10), days=rng.randint(2, 40), hours=rng.randint(2, 48),
            pct=rng.randint(8, 60), code=f"`INC-{rng.randint(10000, 99999)}`"))

    def draw(self, c, key, pool):
        """Sentences are dealt from a per-entry shuffled deck, so an entry
        repeats a template only once it has used them all."""
        deck = c.setdefault("_deck_" + key, [])
        if not deck:
            deck.extend(pool)
            self.rng.shuffle(deck)
        return deck.pop()

    def paragraph(self, c, nsent, term_p=0.2):
        rng = self.rng
        out = []
        for _ in range(nsent):
            if rng.random() < term_p:
                s = self.fill(self.draw(c, "t", TERM_SENTENCES), c)
            else:
                s = self.fill(self.draw(c, "s", SENTENCES), c)
                if rng.random() < 0.06:
                    # italic aside
                    s = s[:-1] + ", *" + rng.choice(["which nobody had planned for", "and that was the point",
                                                     "at least on paper", "to everyone's surprise"]) + "*."
            out.append(s)
        return " ".join(out)

    def story_link(self, c, self_i, kind="story"):
        rng = self.rng
        j = rng.randrange(len(self.stories))
        if j == self_i:
            j = (j + 1) % len(self.stories)
        other = self.stories[j]
        if other.i == self_i:  # a one-story site has nobody else to link to
            return ""
        href = f"{other.slug}.md" if kind == "story" else f"../stories/{other.slug}.md"
        title = other.title.replace("[", "").replace("]", "")
        return rng.choice(LINK_SENTENCES).format(title=title, href=href, **c)

    def term_link(self, prefix):
        t = self.pick_term()
        label = self.surface(t).strip("*")
        return f"[{label}]({prefix}{t.slug}.md)"

    def case_link(self, prefix):
        cs = self.cases[self.rng.randrange(len(self.cases))]
        return f"[{cs['title']}]({prefix}{cs['slug']}.md)"


def story_body(w, st, c, target):
    rng = w.rng
    parts = []
    intro = w.fill(rng.choice(INTRO), c) + " " + w.paragraph(c, rng.randint(2, 3))
    parts.append(intro)
    nh = rng.randint(2, 4)
    heads = sorted(rng.sample(range(len(HEADINGS)), nh))
    links_left = rng.randint(1, 3)
    extra_left = 1 if rng.random() < 0.5 else 0
    sections = []
    for h in heads:
        sec = ["## " + HEADINGS[h]]
        sec.append(w.paragraph(c, rng.randint(3, 5)))
        sections.append(sec)
    # Distribute lists, quotes and links into sections, then pad to target.
    marker = "- " if rng.random() < 0.7 else "1. "
    rng.choice(sections).append(
        "\n".join(marker + w.fill(b, c) for b in rng.sample(BULLETS, rng.randint(3, 5))))
    if rng.random() < 0.5:
        rng.choice(sections).insert(1, "> \"" + rng.choice(QUOTES) + "\"")
    while links_left:
        sec = rng.choice(sections)
        sec.append(w.story_link(c, st.i))
        links_left -= 1
    if extra_left:
        sec = rng.choice(sections)
        if rng.random() < 0.6:
            sec.append(f"The glossary entry for {w.term_link('../glossary/')} explains why this matters.")
        elif w.cases:
            sec.append(f"The case study {w.case_link('../cases/')} has the numbers behind this.")
    size = len(intro) + sum(len(x) + 2 for s in sections for x in s)
    while size < target:
        sec = rng.choice(sections)
        p = w.paragraph(c, rng.randint(2, 4))
        sec.append(p)
        size += len(p) + 2
    for s in sections:
        parts.append("\n\n".join(s))
    return "\n\n".join(parts) + "\n"


def gen_stories(w, stories, outdir, hugodir):
    rng = w.rng
    for st in stories:
        c = w.ctx(st.dept)
        role = rng.choice(ROLES[st.dept])
        author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}, {role}"
        vals = rng.sample(VALUES, rng.randint(1, 3))
        tags = rng.sample(TAGS, rng.randint(1, 4))
        customer = cap(c["cust"]) + " in " + c["place"]
        outcome = w.fill(rng.choice(OUTCOMES), c)
        summary = (f"{c['name']} and the {c['team']} team dealt with {c['problem']} for "
                   f"{c['cust']} in {c['place']}, and changed how we handle the {c['tp']}.")
        featured = rng.random() < 0.01
        fm = [
            "---",
            f"title: {q(st.title)}",
            f"date: {st.date}",
            f"author: {q(author)}",
            f"department: {st.dept}",
            f"touchpoints: {idlist(st.tps)}",
            f"values: {idlist(vals)}",
            f"tags: {idlist(tags)}",
            f"customer: {q(customer)}",
            f"outcome: {q(outcome)}",
            f"summary: {q(summary)}",
            f"featured: {'true' if featured else 'false'}",
            "---",
            "",
        ]
        target = rng.randint(3000, 3900)
        body = story_body(w, st, c, target)
        text = "\n".join(fm) + body
        with open(os.path.join(outdir, f"{st.slug}.md"), "w", encoding="utf-8") as f:
            f.write(text)
        if hugodir:
            with open(os.path.join(hugodir, f"{st.slug}.md"), "w", encoding="utf-8") as f:
                f.write("\n".join(fm) + hugo_links(body))


LINK_RE = re.compile(r"\[([^\]]*)\]\(([^)\s]+)\)")


def hugo_links(body):
    """Story links become Hugo page URLs; links to glossary/cases (not in the
    Hugo copy) become plain text."""
    def sub(m):
        text, href = m.group(1), m.group(2)
        if href.startswith("story-") and href.endswith(".md"):
            return f"[{text}](../{href[:-3]}/)"
        return text
    return LINK_RE.sub(sub, body)


def gen_terms(w, terms, outdir):
    rng = w.rng
    by_area = {}
    for t in terms:
        by_area.setdefault(t.area, []).append(t)
    for t in terms:
        ndept = rng.randint(2, 6)
        depts = sorted(rng.sample(DEPT_IDS, ndept), key=DEPT_IDS.index)
        lenses = {}
        for d in depts:
            concern, evidence = DEPT_CONCERNS[d]
            lenses[d] = rng.choice(LENS_TEMPLATES).format(dept=DEPT_NAME[d], term_l=t.name.lower(),
                                                          concern=concern, evidence=evidence)
            lenses[d] = cap(lenses[d])
        pool = [x for x in by_area.get(t.area, []) if x is not t]
        nrel = rng.randint(2, 5)
        related = []
        for _ in range(nrel * 3):
            if len(related) >= nrel:
                break
            cand = rng.choice(pool) if pool and rng.random() < 0.6 else rng.choice(terms)
            if cand is not t and cand.slug not in related:
                related.append(cand.slug)
        fm = ["---", f"term: {q(t.name)}", f"aliases: {qlist(t.aliases)}", f"short: {q(t.short)}", "lenses:"]
        fm += [f"  {d}: {q(txt)}" for d, txt in lenses.items()]
        fm += [f"related: {idlist(related)}", "---", ""]
        c = w.ctx(rng.choice(DEPT_IDS))
        lead = (f"**{t.name}** — {t.short[0].lower()}{t.short[1:]} "
                + " ".join(rng.sample(DEF_SENTENCES, 2)))
        rel_links = ", ".join(f"[{terms_by_slug[r].name.lower()}]({r}.md)" for r in related[:3])
        use = "**How we use it.** " + " ".join(rng.sample(DEF_SENTENCES, 3)) + f" See also {rel_links}."
        ex = "**Example.** " + w.paragraph(c, 2, term_p=0.2)
        if w.stories and rng.random() < 0.5:
            st = w.stories[rng.randrange(len(w.stories))]
            ex += f" (See [{st.title}](../stories/{st.slug}.md).)"
        mistake = "**Common mistake.** " + " ".join(rng.sample(DEF_SENTENCES, 2))
        body = "\n\n".join([lead, use, ex, mistake]) + "\n"
        with open(os.path.join(outdir, f"{t.slug}.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(fm) + body)
        if rng.random() < 0.10:
            gen_term_pt(rng, t, depts, related, outdir)


# Portuguese names written so far (lowercased). Two English modifiers can
# share a Portuguese word (payment and checkout are both "pagamento"), so
# from some 5,000 terms on two translations could take one name, which
# `check` rightly refuses: the second is told apart by its English name.
PT_WRITTEN = set()


def gen_term_pt(rng, t, depts, related, outdir):
    termo = t.pt
    if termo.lower() in PT_WRITTEN:
        termo = f"{termo} ({t.name})"
    PT_WRITTEN.add(termo.lower())
    lenses = {d: rng.choice(PT_LENS).format(equipa=PT_DEPT[d], termo=termo) for d in depts}
    fm = ["---", f"term: {q(cap(termo))}", "aliases: " + qlist([a for a in t.aliases if a.isupper()]),
          f"short: {q(cap(termo) + ': o que significa para o cliente e para cada equipa.')}", "lenses:"]
    fm += [f"  {d}: {q(txt)}" for d, txt in lenses.items()]
    fm += [f"related: {idlist(related)}", "---", ""]
    paras = []
    for _ in range(3):
        paras.append(" ".join(
            s.format(termo=termo, ano=rng.randint(2019, 2026), equipa=PT_DEPT[rng.choice(DEPT_IDS)], n=rng.randint(5, 40))
            for s in rng.sample(PT_SENTENCES, 3)))
    with open(os.path.join(outdir, f"{t.slug}.pt.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(fm) + "\n\n".join(paras) + "\n")


def make_cases(rng, count):
    cases = []
    for i in range(1, count + 1):
        area = rng.choice(PROBLEMS)
        org = f"{rng.choice(ORG_A)} {rng.choice(ORG_B)}"
        tmpl = rng.choice([
            "Cutting {p} at {org}", "{org}: fewer complaints about {p}", "How {org} fixed {p}",
            "{p_cap}: a year of changes at {org}",
        ])
        p = short_problem(area)
        title = tmpl.format(p=p, p_cap=cap(p), org=org)
        cases.append({"i": i, "slug": f"case-{i:05d}", "title": title, "org": org, "problem": area})
    return cases


def fmt_num(x, dec):
    return f"{x:.{dec}f}" if dec else str(int(round(x)))


def gen_cases(w, cases, outdir):
    rng = w.rng
    for cs in cases:
        dept = rng.choice(DEPT_IDS)
        c = w.ctx(dept)
        c["problem"] = cs["problem"]
        c["problem_short"] = short_problem(cs["problem"])
        ms = rng.sample(METRICS, 3)
        mlines = ["metrics:"]
        results = []
        for name, unit, better, (lo, hi), (dlo, dhi), dec in ms:
            before = rng.uniform(lo, hi)
            delta = rng.uniform(dlo, dhi)
            after = before + delta if better == "higher" else max(0, before - delta)
            if dec == 0:
                before, after = round(before), round(after)
            b, a = fmt_num(before, dec), fmt_num(after, dec)
            mlines.append(f"  - name: {q(name)}")
            mlines.append(f"    before: {b}")
            mlines.append(f"    after: {a}")
            if unit:
                mlines.append(f"    unit: {q(unit)}")
            mlines.append(f"    better: {better}")
            results.append(f"- **{name}**: from {b} to {a}{' ' + unit if unit else ''}.")
        tps = rng.sample(DEPT_TPS[dept], rng.randint(1, 3))
        tags = rng.sample(TAGS, rng.randint(2, 5))
        summary = (f"{cs['org']} cut the cost and the frustration of {short_problem(cs['problem'])} "
                   f"by changing how {DEPT_NAME[dept]} and {c['team2']} work together.")
        fm = ["---", f"title: {q(cs['title'])}", f"date: {pick_date(rng)}", f"organization: {q(cs['org'])}",
              f"industry: {q(rng.choice(INDUSTRIES))}", f"touchpoints: {idlist(tps)}", f"tags: {idlist(tags)}",
              f"summary: {q(summary)}"] + mlines + ["---", ""]
        secs = []
        for h in CASE_HEADINGS:
            paras = [w.paragraph(c, rng.randint(3, 5)) for _ in range(rng.randint(1, 3))]
            if h == "Results":
                paras.insert(0, "\n".join(results))
            if h == "What we changed":
                paras.append("\n".join("- " + w.fill(b, c) for b in rng.sample(BULLETS, 4)))
                if w.stories:
                    paras.append(w.story_link(c, -1, kind="case"))
            secs.append(f"## {h}\n\n" + "\n\n".join(paras))
        intro = w.fill(rng.choice(INTRO), c) + " " + w.paragraph(c, 2)
        body = intro + "\n\n" + "\n\n".join(secs) + "\n"
        with open(os.path.join(outdir, f"{cs['slug']}.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(fm) + body)


PATHS = [
    ("new-starter-cx-basics", "New starter: CX basics", "Everyone in their first month", "90 minutes"),
    ("team-leads-metrics-to-stories", "Team leads: from metrics to stories", "Team leads and supervisors", "2 hours"),
]


def gen_paths(w, terms, stories, cases, outdir):
    rng = w.rng
    for slug, title, audience, duration in PATHS:
        steps = []
        kinds = ["term", "story", "story", "case", "term", "story", "case", "story", "term", "story"]
        for k in kinds:
            if k == "term":
                t = terms[rng.randrange(min(len(terms), 20))]
                steps.append(("term", t.slug, f"Read the definition of {t.name.lower()} and its lens for your department."))
            elif k == "story" and stories:
                s = stories[rng.randrange(len(stories))]
                steps.append(("story", s.slug, "Discuss in pairs: which touchpoint failed, and who noticed first?"))
            elif k == "case" and cases:
                cs = cases[rng.randrange(len(cases))]
                steps.append(("case", cs["slug"], "Look at the before/after chart: which metric moved first?"))
        fm = ["---", f"title: {q(title)}", f"audience: {q(audience)}", f"duration: {q(duration)}",
              f"summary: {q('A guided reading list for ' + audience.lower() + '.')}", "steps:"]
        seen = set()
        for k, s, note in steps:
            if (k, s) in seen:
                continue
            seen.add((k, s))
            fm += [f"  - {k}: {s}", f"    note: {q(note)}"]
        fm += ["---", ""]
        c = w.ctx(rng.choice(DEPT_IDS))
        body = ("This path is meant to be walked through in a workshop, one step at a time. "
                + w.paragraph(c, 3, term_p=0.4) + "\n\n" + w.paragraph(c, 3) + "\n")
        with open(os.path.join(outdir, f"{slug}.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(fm) + body)


def site_yaml(n):
    lines = [
        f"title: {q(f'Campfire benchmark corpus ({n} stories)')}",
        f"description: {q('Synthetic customer-experience stories, vocabulary and cases for benchmarks.')}",
        "language: en",
        "languages: [pt]",
        "departments:",
    ]
    lines += [f"  - {{ id: {d}, name: {q(nm)} }}" for d, nm in DEPARTMENTS]
    lines.append("journey:")
    for stage, tps in JOURNEY:
        lines += [f"  - stage: {stage}", f"    touchpoints: {idlist(tps)}"]
    lines.append(f"values: {idlist(VALUES)}")
    return "\n".join(lines) + "\n"


HUGO_TOML = """baseURL = "http://localhost/"
title = "Campfire benchmark corpus ({n} stories)"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]

[markup.goldmark.renderer]
unsafe = false
"""

HUGO_LAYOUTS = {
    "single.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>
{{ .Content }}
</main></body></html>
""",
    "list.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</main></body></html>
""",
    "home.html": """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><main><h1>{{ .Site.Title }}</h1>
{{ .Content }}
<ul>{{ range first 20 .Site.RegularPages.ByDate.Reverse }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
</main></body></html>
""",
}


def prepare_dir(path, marker_check):
    """Empty a previous output dir, refusing to touch anything that does not
    look like one of ours."""
    if os.path.exists(path):
        entries = os.listdir(path)
        if entries and not marker_check(path):
            raise SystemExit(f"gen_corpus: {path} is not empty and does not look like a generated corpus; refusing to overwrite")
        for e in entries:
            p = os.path.join(path, e)
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            else:
                os.remove(p)
    os.makedirs(path, exist_ok=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stories", type=int, required=True)
    ap.add_argument("--terms", type=int, required=True)
    ap.add_argument("--cases", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--hugo", help="also write the same stories as a minimal Hugo site here")
    a = ap.parse_args(argv)
    if a.stories < 1 or a.terms < 1 or a.cases < 1:
        ap.error("--stories, --terms and --cases must be at least 1")

    rng = random.Random(a.seed)
    prepare_dir(a.out, lambda p: os.path.exists(os.path.join(p, "site.yaml")))
    if a.hugo:
        prepare_dir(a.hugo, lambda p: os.path.exists(os.path.join(p, "hugo.toml")))

    terms = build_terms(rng, a.terms)
    global terms_by_slug
    terms_by_slug = {t.slug: t for t in terms}

    # Story skeletons first, so links can name their target's title.
    stories = []
    dummy = Writer(rng, terms, [], [])
    for i in range(1, a.stories + 1):
        st = Story()
        st.i = i - 1
        st.slug = f"story-{i:05d}"
        st.dept = rng.choice(DEPT_IDS)
        st.date = pick_date(rng)
        st.tps = sorted(set(rng.sample(DEPT_TPS[st.dept], rng.randint(1, 2))
                            + ([rng.choice(TOUCHPOINTS)] if rng.random() < 0.3 else [])),
                        key=TOUCHPOINTS.index)
        c = dummy.ctx(st.dept)
        st.title = rng.choice(TITLE_TEMPLATES).format(
            n=rng.randint(3, 12), days=rng.randint(2, 30), **c)
        stories.append(st)
    cases = make_cases(rng, a.cases)
    w = Writer(rng, terms, stories, cases)

    root = a.out
    for sub in ("stories", "glossary", "cases", "paths"):
        os.makedirs(os.path.join(root, "content", sub), exist_ok=True)
    with open(os.path.join(root, "site.yaml"), "w", encoding="utf-8") as f:
        f.write(site_yaml(a.stories))

    hugo_stories = None
    if a.hugo:
        hugo_stories = os.path.join(a.hugo, "content", "stories")
        os.makedirs(hugo_stories, exist_ok=True)
        with open(os.path.join(a.hugo, "hugo.toml"), "w", encoding="utf-8") as f:
            f.write(HUGO_TOML.format(n=a.stories))
        lay = os.path.join(a.hugo, "layouts")
        os.makedirs(lay, exist_ok=True)
        for name, text in HUGO_LAYOUTS.items():
            with open(os.path.join(lay, name), "w", encoding="utf-8") as f:
                f.write(text)
        with open(os.path.join(hugo_stories, "_index.md"), "w", encoding="utf-8") as f:
            f.write('---\ntitle: "Stories"\n---\n')

    gen_stories(w, stories, os.path.join(root, "content", "stories"), hugo_stories)
    gen_terms(w, terms, os.path.join(root, "content", "glossary"))
    gen_cases(w, cases, os.path.join(root, "content", "cases"))
    gen_paths(w, terms, stories, cases, os.path.join(root, "content", "paths"))
    return 0


terms_by_slug = {}

if __name__ == "__main__":
    sys.exit(main())
