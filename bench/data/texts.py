"""Sentences residents write; every word of the bench's searches appears in some of them."""

SUBJECTS = (
    "L'éclairage de la rue",
    "Le parc près de l'école",
    "La médiation du soir",
    "Le bus de la ligne 2",
    "La propreté des trottoirs",
    "Le city-stade",
    "La maison de quartier",
    "Le marché du samedi",
    "Le local des jeunes",
    "L'aide aux devoirs",
    "Le stationnement devant la pharmacie",
    "Les jardins partagés",
    "La permanence emploi",
    "Le passage piéton du collège",
    "La salle de sport",
)
VERDICTS = (
    "ne fonctionne plus depuis des semaines",
    "manque beaucoup aux familles",
    "est trop loin pour les personnes âgées",
    "est une vraie réussite, merci",
    "ferme trop tôt le soir",
    "n'est pas accessible en fauteuil",
    "devrait être ouvert aussi le mercredi",
    "fait du bien au quartier",
    "est sale après le week-end",
    "n'est pas assez connu des habitants",
)
WISHES = (
    "Il faudrait en parler au prochain stand.",
    "Pourriez-vous ajouter des bancs et de l'ombre ?",
    "Les enfants ont besoin d'un endroit sûr pour jouer.",
    "Une médiation le vendredi soir aiderait beaucoup.",
    "Nous sommes plusieurs voisins à le demander.",
    "Merci aux médiateurs pour leur écoute.",
    "Un meilleur éclairage rassurerait les parents.",
    "On pourrait organiser une table ronde sur ce sujet.",
    "",
)
