"""The legal pages' details (settings.LEGAL_DETAILS), as a commune fills them in: production
settings without them draw a deploy warning (participation.W003)."""

LEGAL_ENV = {
    "LEGAL_PUBLISHER_ADDRESS": "1 place de la Mairie",
    "LEGAL_PUBLISHER_CONTACT": "Standard : 03 53 01 20 00 — mairie@auchel.example",
    "LEGAL_HOST": "Hébergeur Exemple, 2 rue des Serveurs, 59000 Lille, 03 53 01 20 99 ; France",
    "LEGAL_HOST_LOG_RETENTION": "Les journaux du serveur sont gardés six mois.",
    "LEGAL_DPO_CONTACT": "dpo@auchel.example, Mairie d'Auchel, 62260 Auchel",
    "LEGAL_ACCESSIBILITY_CONTACT": "accessibilite@auchel.example",
}
