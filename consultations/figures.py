"""The generation of the committee's figures.

The dashboard keeps its figures a minute per scope and filters (``views_committee``); its
cache key carries this generation, which the services renew whenever what the dashboard
counts changes: an expression routed, examined or answered, a tag or an objective set.
« Actualiser les chiffres » then shows the change at once; what is not renewed (« moi
aussi » counts) is at most a minute old, as the page says.
"""

from participation.core.cache import Generation

FIGURES = Generation("tableau-de-bord:generation")
generation = FIGURES.current
changed = FIGURES.renew
