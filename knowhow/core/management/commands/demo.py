"""Load demo content: people with different roles, spaces, tags, questions, answers, votes."""

from django.core.management.base import BaseCommand
from django.db import transaction

from knowhow.accounts.models import User
from knowhow.accounts.services import user_sign_up
from knowhow.qa import services as qa
from knowhow.reputation.services import reputation_grant
from knowhow.spaces.models import Space, SpaceMembership
from knowhow.spaces.selectors import default_space
from knowhow.spaces.services import space_add_member

DEMO_PASSWORD = "knowhow-demo"

PEOPLE = [
    # username, display name, job title, department, staff
    ("admin", "Ada Admin", "IT administrator", "IT", True),
    ("maria", "Maria Moderator", "Community manager", "Learning & Development", False),
    ("alice", "Alice Chen", "Data analyst", "Finance", False),
    ("bob", "Bob Okafor", "Store manager", "Retail", False),
    ("carol", "Carol Diaz", "Sales engineer", "Sales", False),
    ("dave", "Dave Kowalski", "Backend developer", "Engineering", False),
    ("erin", "Erin Novak", "Learning designer", "Learning & Development", False),
]

TAG_TEXT = {
    "excel": "Spreadsheets: formulas, pivot tables, charts and exporting data.",
    "python": "The Python programming language, scripts and automation.",
    "onboarding": "Getting started: accounts, tools and who to ask.",
    "reporting": "Building, scheduling and sharing reports.",
    "sql": "Querying the data warehouse.",
    "git": "Version control with git.",
    "customer-service": "Handling customers in stores and on the phone.",
    "security": "Passwords, phishing, devices and data protection.",
}

QUESTIONS = [
    (
        "alice",
        "How do I turn a pivot table into a plain range in Excel?",
        "I built a pivot table for the monthly close and need to send the numbers to someone "
        "who should not see the source data. How do I **convert the pivot into plain values** "
        "without losing the formatting?",
        ["excel", "reporting"],
        [
            (
                "bob",
                "Select the whole pivot table, copy it (`Ctrl+C`), then *Paste Special → Values* "
                "(`Ctrl+Alt+V`, then `V`). Run *Paste Special → Formats* on top to keep the look.",
                3,
            ),
            (
                "erin",
                "If you do this every month, record a macro once and run it from the Quick Access "
                "Toolbar. It saves a lot of clicks.",
                1,
            ),
        ],
        0,
    ),
    (
        "bob",
        "What is the fastest way to handle a refund without a receipt?",
        "A customer came in with a faulty kettle but without a receipt. The till asks for a "
        "transaction number. What do other stores do?",
        ["customer-service"],
        [
            (
                "carol",
                "Look the sale up by the card they paid with: *Till → Returns → Find by card*. "
                "It finds purchases of the last 90 days. Without a card, offer a store credit.",
                4,
            )
        ],
        0,
    ),
    (
        "dave",
        "How can I undo the last git commit but keep my changes?",
        "I committed to `main` by mistake. I want the changes back in my working tree so that I "
        "can commit them on a branch.\n\n```bash\ngit log --oneline -1\n```",
        ["git"],
        [
            (
                "alice",
                "Use a soft reset, which moves the branch back and keeps everything staged:\n\n"
                "```bash\ngit reset --soft HEAD~1\ngit switch -c my-branch\ngit commit\n```\n\n"
                "If you already pushed, use `git revert` instead so that nobody's history is rewritten.",
                5,
            )
        ],
        0,
    ),
    (
        "carol",
        "Which SQL join gives me customers with no orders?",
        "I need the list of customers who never ordered, for a win-back campaign. "
        "An inner join obviously drops them. What should I use?",
        ["sql", "reporting"],
        [
            (
                "dave",
                "A left join and keep the rows where the right side is missing:\n\n"
                "```sql\nSELECT c.id, c.name\nFROM customers c\nLEFT JOIN orders o ON o.customer_id = c.id\n"
                "WHERE o.id IS NULL;\n```\n\n`NOT EXISTS` works too and is often as fast.",
                6,
            ),
            (
                "alice",
                "| approach | readable | fast |\n|---|---|---|\n| LEFT JOIN … IS NULL | yes | yes |\n"
                "| NOT EXISTS | yes | yes |\n| NOT IN | careful with NULLs | sometimes |",
                2,
            ),
        ],
        0,
    ),
    (
        "erin",
        "What should a new starter read in their first week?",
        "I am putting together a first-week path for new colleagues. Which pages, videos or "
        "people helped you most when you started?",
        ["onboarding"],
        [
            (
                "bob",
                "Shadowing a colleague on the shop floor for a full day beat every document.",
                3,
            ),
            (
                "maria",
                "The security basics first (password manager, how to report phishing), then the "
                "team's own Q&A tag. Questions here are often the best onboarding material.",
                2,
            ),
        ],
        1,
    ),
    (
        "alice",
        "How do I schedule a Python script to run every morning?",
        "I have a small script that pulls yesterday's sales into a CSV. How do I make it run at "
        "7:00 every day on the shared server?",
        ["python", "reporting"],
        [
            (
                "dave",
                "On Linux use cron: `crontab -e` and add\n\n```\n0 7 * * * /usr/bin/python3 /opt/reports/sales.py\n```\n\n"
                "Log the output to a file so that failures are visible.",
                4,
            )
        ],
        0,
    ),
    (
        "bob",
        "How do I spot a phishing email that looks like it is from HR?",
        "We got an email 'from HR' asking to confirm bank details through a link. It looked real. "
        "What are the tell-tale signs?",
        ["security"],
        [],
        None,
    ),
    (
        "carol",
        "Is there a template for customer demo reports?",
        "Before I build one from scratch: does anyone have a report template for customer demos "
        "that shows what was shown and the follow-ups?",
        ["reporting", "customer-service"],
        [],
        None,
    ),
]

PILOT_QUESTIONS = [
    (
        "carol",
        "Pilot: which CRM fields do we fill in after a site visit?",
        "For the field sales pilot we agreed on a short visit report. Which CRM fields are "
        "mandatory and which are nice to have?",
        ["onboarding"],
        [
            (
                "alice",
                "Mandatory: contact, date, outcome, next step. Everything else is optional for the pilot.",
                1,
            )
        ],
        0,
    ),
]


class Command(BaseCommand):
    help = "Load demo content (idempotent: does nothing if the demo users exist)."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        if User.objects.filter(username="admin").exists():
            self.stdout.write("Demo content already loaded.")
        else:
            with transaction.atomic():
                self._load()
            self.stdout.write(self.style.SUCCESS("Demo content loaded."))
        self.stdout.write(
            f"Demo logins: admin / {DEMO_PASSWORD} (staff), alice / {DEMO_PASSWORD} (member)"
        )

    def _load(self) -> None:
        default_space()
        people: dict[str, User] = {}
        for username, name, title, dept, staff in PEOPLE:
            user = user_sign_up(
                username=username,
                email=f"{username}@example.com",
                password=DEMO_PASSWORD,
                display_name=name,
            )
            user.job_title, user.department = title, dept
            user.is_staff = user.is_superuser = staff
            user.save()
            # Demo members are established enough to vote, comment and create tags.
            reputation_grant(user=user, amount=499)
            user.refresh_from_db()
            people[username] = user
        space_add_member(
            space=default_space(), user=people["maria"], role=SpaceMembership.Role.MODERATOR
        )
        pilot = Space.objects.create(
            name="Field Sales Pilot",
            slug="field-sales-pilot",
            visibility=Space.Visibility.PRIVATE,
            description="A private pilot for the field sales team: only members see it.",
        )
        for username in ("carol", "alice", "maria"):
            space_add_member(space=pilot, user=people[username])
        self._questions(people, default_space(), QUESTIONS)
        self._questions(people, pilot, PILOT_QUESTIONS)
        for name, text in TAG_TEXT.items():
            qa.tag_update_description(
                tag=qa.Tag.objects.get_or_create(name=name)[0],
                by=people["admin"],
                excerpt=text,
                description=text,
            )
        for username, tags in {
            "alice": ["excel", "sql", "python"],
            "dave": ["git", "python", "sql"],
            "bob": ["customer-service"],
        }.items():
            for tag in tags:
                qa.tag_follow(user=people[username], tag=qa.Tag.objects.get(name=tag))

    def _questions(self, people: dict[str, User], space: Space, items: list) -> None:  # type: ignore[type-arg]
        voters = list(people.values())
        for asker, title, body, tags, answers, accepted in items:
            question = qa.question_ask(
                author=people[asker], space=space, title=title, body=body, tags=tags
            )
            posted = []
            for author, text, votes in answers:
                answer = qa.answer_post(author=people[author], question=question, body=text)
                posted.append(answer)
                for voter in [v for v in voters if v.pk != answer.author_id][:votes]:
                    if space.is_private and voter.username not in (
                        "carol",
                        "alice",
                        "maria",
                        "admin",
                    ):
                        continue
                    qa.vote_cast(post=answer, user=voter, value=1)
            for voter in [v for v in voters if v.pk != question.author_id][: len(answers) + 1]:
                if space.is_private and voter.username not in ("carol", "alice", "maria", "admin"):
                    continue
                qa.vote_cast(post=question, user=voter, value=1)
            if accepted is not None and posted:
                qa.answer_accept(answer=posted[accepted], by=people[asker])
            commenter = people["maria"] if asker != "maria" else people["erin"]
            if posted and (
                not space.is_private or commenter.username in ("carol", "alice", "maria")
            ):
                qa.comment_add(
                    post=posted[0],
                    author=commenter,
                    body="Thanks, this is **exactly** what I was looking for.",
                )
