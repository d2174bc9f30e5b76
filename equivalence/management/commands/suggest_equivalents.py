from django.core.management.base import BaseCommand, CommandError

from courses.models import Course
from equivalence.services import suggestions
from institutions.models import Institution


class Command(BaseCommand):
    help = (
        "Print ranked candidate equivalent courses for one course: "
        "rank<TAB>institution_code<TAB>course_code<TAB>score<TAB>name."
    )

    def add_arguments(self, parser):
        parser.add_argument("--institution", required=True, help="the source institution's code")
        parser.add_argument("--code", required=True, help="the source course code")
        parser.add_argument("--target-institution", help="only candidates of this institution")
        parser.add_argument("--top", type=int, default=10)

    def handle(self, *args, institution, code, target_institution, top, **options):
        if top < 1:
            raise CommandError("--top must be at least 1.")
        source = Institution.objects.filter(code__iexact=institution).first()
        if source is None:
            raise CommandError(f"No institution has the code {institution}.")
        course = (
            Course.objects.filter(institution=source, code=code.strip())
            .select_related("institution__province")
            .order_by(
                # the approved version first, then the newest academic year
                "-academic_year",
            )
        )
        chosen = next((c for c in course if c.status == Course.Status.APPROVED), None)
        chosen = chosen or course.first()
        if chosen is None:
            raise CommandError(f"{source.code} has no course {code}.")
        target = None
        if target_institution:
            target = Institution.objects.filter(code__iexact=target_institution).first()
            if target is None:
                raise CommandError(f"No institution has the code {target_institution}.")
        candidates = suggestions.suggest_for_course(
            course=chosen, target_institution=target, top=top
        )
        for candidate in candidates:
            c = candidate.course
            self.stdout.write(
                f"{candidate.rank}\t{c.institution.code}\t{c.code}\t{candidate.score:.4f}\t{c.name_th}"
            )
