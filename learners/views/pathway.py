"""The learner's pathway page: what if I enrol at …, and a ranking of the province's curricula."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from courses.models import Level

from ..services.pathway import pathway_for_curriculum, pathway_ranking
from ..services.transfer import curricula_for
from ..transfer_forms import PathwayForm
from .access import learner_of

RANKING_SIZE = 50


@login_required
def pathway(request):
    learner = learner_of(request.user)
    if learner is None:
        return render(request, "learners/not_linked.html")
    form = PathwayForm(request.GET or None)
    chosen_id, level = None, ""
    if form.is_valid():
        chosen_id = form.cleaned_data["curriculum"]
        level = form.cleaned_data["level"]
    curricula = list(curricula_for(learner))
    chosen = None
    if chosen_id:
        chosen = next((c for c in curricula if c.pk == chosen_id), None)
        if chosen is None:
            raise Http404
    ranking = pathway_ranking(learner=learner, level=level)[:RANKING_SIZE] if level else []
    return render(
        request,
        "learners/pathway.html",
        {
            "learner": learner,
            "curricula": curricula,
            "levels": Level.choices,
            "level": level,
            "chosen": chosen,
            "plan": pathway_for_curriculum(learner=learner, curriculum=chosen) if chosen else None,
            "ranking": ranking,
        },
    )
