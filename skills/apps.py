from django.apps import AppConfig

# My credits lists at most this many certificates; the rest are on "My certificates".
LEARNER_PANEL_CERTIFICATES = 10


def _certificates_panel_context(learner) -> dict:
    from .models import Certificate

    certificates = list(
        Certificate.objects.filter(learner=learner)
        .select_related("standard")
        .order_by("-issued_on", "-pk")[: LEARNER_PANEL_CERTIFICATES + 1]
    )
    return {
        "certificates": certificates[:LEARNER_PANEL_CERTIFICATES],
        "more_certificates": len(certificates) > LEARNER_PANEL_CERTIFICATES,
    }


class SkillsConfig(AppConfig):
    name = "skills"

    def ready(self):
        from creditbank import learner_panels

        learner_panels.register(
            learner_panels.LearnerPanel(
                key="certificates",
                template="skills/_learner_panel.html",
                context=_certificates_panel_context,
                version_namespace="certificates",
            )
        )
