<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>ClientFormats</name>
    <message>
        <source>JSON logs (FlowGuard&apos;s own API)</source>
        <translation type="vanished">Logs JSON (API propre à FlowGuard)</translation>
    </message>
    <message>
        <source>A JSON array, one object or NDJSON; service is required, the other fields are optional.</source>
        <translation type="vanished">Un tableau JSON, un objet ou du NDJSON ; service est obligatoire, les autres champs sont facultatifs.</translation>
    </message>
    <message>
        <source>JSON metrics (FlowGuard&apos;s own API)</source>
        <translation type="vanished">Métriques JSON (API propre à FlowGuard)</translation>
    </message>
    <message>
        <source>Named samples with tags, or a KPI snapshot whose numeric fields each become a sample.</source>
        <translation type="vanished">Des mesures nommées avec leurs tags, ou un instantané de KPI dont chaque champ numérique devient une mesure.</translation>
    </message>
    <message>
        <source>OpenTelemetry SDK (OTLP/HTTP JSON)</source>
        <translation type="vanished">SDK OpenTelemetry (OTLP/HTTP JSON)</translation>
    </message>
    <message>
        <source>Set these in the environment of a service instrumented with an OpenTelemetry SDK: its logs, metrics and traces come here. FlowGuard speaks OTLP/HTTP with JSON bodies, not protobuf.</source>
        <translation type="vanished">Définissez ces variables dans l’environnement d’un service instrumenté avec un SDK OpenTelemetry : ses logs, métriques et traces arrivent ici. FlowGuard parle OTLP/HTTP avec des corps JSON, pas protobuf.</translation>
    </message>
    <message>
        <source>OTLP/HTTP JSON with curl</source>
        <translation type="vanished">OTLP/HTTP JSON avec curl</translation>
    </message>
    <message>
        <source>One OTLP log record, as an SDK or collector would send it.</source>
        <translation type="vanished">Un enregistrement de log OTLP, tel qu’un SDK ou un collecteur l’enverrait.</translation>
    </message>
    <message>
        <source>Loki push (Promtail, Grafana Alloy, Fluent Bit)</source>
        <translation type="vanished">Push Loki (Promtail, Grafana Alloy, Fluent Bit)</translation>
    </message>
    <message>
        <source>Point a Loki client&apos;s push URL here; the service comes from the service_name, service, app or job label.</source>
        <translation type="vanished">Faites pointer l’URL de push d’un client Loki ici ; le service vient du label service_name, service, app ou job.</translation>
    </message>
    <message>
        <source>Plain log lines</source>
        <translation type="vanished">Lignes de log brutes</translation>
    </message>
    <message>
        <source>Any text, one event a line; levels and request fields are inferred from each line.</source>
        <translation type="vanished">N’importe quel texte, un événement par ligne ; niveaux et champs de requête sont déduits de chaque ligne.</translation>
    </message>
</context>
<context>
    <name>fg::AcknowledgeDialog</name>
    <message>
        <source>Acknowledge alert</source>
        <translation type="vanished">Prendre en charge l’alerte</translation>
    </message>
    <message>
        <source>Who takes care of it</source>
        <translation type="vanished">Qui s’en occupe</translation>
    </message>
    <message>
        <source>Optional, e.g. &quot;rolling back the deploy&quot;</source>
        <translation type="vanished">Facultatif, p. ex. « retour arrière du déploiement »</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation type="vanished">Prendre en charge</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation type="vanished">Votre nom :</translation>
    </message>
    <message>
        <source>Note:</source>
        <translation type="vanished">Note :</translation>
    </message>
</context>
<context>
    <name>fg::AlertCsvExport</name>
    <message>
        <source>Export cancelled</source>
        <translation type="vanished">Export annulé</translation>
    </message>
</context>
<context>
    <name>fg::AlertFilterBar</name>
    <message>
        <source>Open</source>
        <translation type="vanished">Ouvertes</translation>
    </message>
    <message>
        <source>All states</source>
        <translation type="vanished">Tous les états</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation type="vanished">En attente</translation>
    </message>
    <message>
        <source>Firing</source>
        <translation type="vanished">Active</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation type="vanished">Résolue</translation>
    </message>
    <message>
        <source>All services</source>
        <translation type="vanished">Tous les services</translation>
    </message>
    <message>
        <source>Any level</source>
        <translation type="vanished">Tout niveau</translation>
    </message>
    <message>
        <source>Warning and above</source>
        <translation type="vanished">Avertissement et plus</translation>
    </message>
    <message>
        <source>Error and above</source>
        <translation type="vanished">Erreur et plus</translation>
    </message>
    <message>
        <source>Critical</source>
        <translation type="vanished">Critique</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="vanished">Dernière heure</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="vanished">Dernières 24 heures</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="vanished">7 derniers jours</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation type="vanished">30 derniers jours</translation>
    </message>
    <message>
        <source>Everything</source>
        <translation type="vanished">Tout</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation type="vanished">Personnalisé…</translation>
    </message>
    <message>
        <source>Search service, reason, explanation</source>
        <translation type="vanished">Rechercher service, raison, explication</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation type="vanished">Afficher :</translation>
    </message>
    <message>
        <source>%1 – %2</source>
        <translation type="vanished">%1 – %2</translation>
    </message>
</context>
<context>
    <name>fg::AlertHistoryChart</name>
    <message>
        <source>Alerts per hour</source>
        <translation type="vanished">Alertes par heure</translation>
    </message>
    <message>
        <source>Alerts per day</source>
        <translation type="vanished">Alertes par jour</translation>
    </message>
</context>
<context>
    <name>fg::AlertText</name>
    <message>
        <source>info</source>
        <translation type="vanished">info</translation>
    </message>
    <message>
        <source>warning</source>
        <translation type="vanished">avertissement</translation>
    </message>
    <message>
        <source>error</source>
        <translation type="vanished">erreur</translation>
    </message>
    <message>
        <source>critical</source>
        <translation type="vanished">critique</translation>
    </message>
    <message>
        <source>pending</source>
        <translation type="vanished">en attente</translation>
    </message>
    <message>
        <source>firing</source>
        <translation type="vanished">active</translation>
    </message>
    <message>
        <source>resolved</source>
        <translation type="vanished">résolue</translation>
    </message>
    <message>
        <source>open</source>
        <translation type="vanished">ouvert</translation>
    </message>
    <message>
        <source>closed</source>
        <translation type="vanished">clos</translation>
    </message>
</context>
<context>
    <name>fg::AlertsModel</name>
    <message>
        <source> (test)</source>
        <translation type="vanished"> (test)</translation>
    </message>
    <message>
        <source>, silenced</source>
        <translation type="vanished">, en silence</translation>
    </message>
    <message>
        <source>ID</source>
        <translation type="vanished">ID</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="vanished">Raison</translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="vanished">Niveau</translation>
    </message>
    <message>
        <source>State</source>
        <translation type="vanished">État</translation>
    </message>
    <message>
        <source>Fired</source>
        <translation type="vanished">Déclenchée</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation type="vanished">Résolue</translation>
    </message>
    <message>
        <source>Acknowledged by</source>
        <translation type="vanished">Pris en charge par</translation>
    </message>
    <message>
        <source>Notified</source>
        <translation type="vanished">Notifiés</translation>
    </message>
</context>
<context>
    <name>fg::AlertsView</name>
    <message>
        <source>Acknowledge…</source>
        <translation type="vanished">Prendre en charge…</translation>
    </message>
    <message>
        <source>Send test alert</source>
        <translation type="vanished">Envoyer une alerte de test</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation type="vanished">Exporter en CSV…</translation>
    </message>
    <message>
        <source>Export every alert the filters show</source>
        <translation type="vanished">Exporter chaque alerte affichée par les filtres</translation>
    </message>
    <message numerus="yes">
        <source>The newest %n alert(s)</source>
        <translation type="vanished">
            <numerusform>La dernière alerte</numerusform>
            <numerusform>Les %n alertes les plus récentes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n alert(s)</source>
        <translation type="vanished">
            <numerusform>%n alerte</numerusform>
            <numerusform>%n alertes</numerusform>
        </translation>
    </message>
    <message>
        <source>&lt;p&gt;Acknowledged by %1: %2&lt;/p&gt;</source>
        <translation type="vanished">&lt;p&gt;Pris en charge par %1 : %2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;h4&gt;History&lt;/h4&gt;&lt;ul&gt;</source>
        <translation type="vanished">&lt;h4&gt;Historique&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <source>&lt;/ul&gt;&lt;h4&gt;Notifications&lt;/h4&gt;&lt;ul&gt;</source>
        <translation type="vanished">&lt;/ul&gt;&lt;h4&gt;Notifications&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <source>#%1 %2 — %3</source>
        <translation type="vanished">#%1 %2 — %3</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation type="vanished">Prise en charge</translation>
    </message>
    <message>
        <source>Test alert sent to every enabled channel</source>
        <translation type="vanished">Alerte de test envoyée à chaque canal actif</translation>
    </message>
    <message>
        <source>Export alerts</source>
        <translation type="vanished">Exporter les alertes</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation type="vanished">Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exporting alerts…</source>
        <translation type="vanished">Export des alertes…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="vanished">Annuler</translation>
    </message>
    <message numerus="yes">
        <source>Exporting alerts… %n written</source>
        <translation type="vanished">
            <numerusform>Export des alertes… %n écrite</numerusform>
            <numerusform>Export des alertes… %n écrites</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n alert(s)</source>
        <translation type="vanished">
            <numerusform>%n alerte exportée</numerusform>
            <numerusform>%n alertes exportées</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::ChannelsDialog</name>
    <message>
        <source>Enabled</source>
        <translation type="vanished">Actif</translation>
    </message>
    <message>
        <source>Notification channels</source>
        <translation type="vanished">Canaux de notification</translation>
    </message>
    <message>
        <source>Slack incoming webhook</source>
        <translation type="vanished">Webhook entrant Slack</translation>
    </message>
    <message>
        <source>Webhook (Alertmanager JSON)</source>
        <translation type="vanished">Webhook (JSON Alertmanager)</translation>
    </message>
    <message>
        <source>E-mail (SMTP)</source>
        <translation type="vanished">E-mail (SMTP)</translation>
    </message>
    <message>
        <source>Desktop notifications</source>
        <translation type="vanished">Notifications de bureau</translation>
    </message>
    <message>
        <source>https://hooks.slack.com/services/… or smtps://user:password@host</source>
        <translation type="vanished">https://hooks.slack.com/services/… ou smtps://utilisateur:motdepasse@hôte</translation>
    </message>
    <message>
        <source>ops@example.org, lead@example.org</source>
        <translation type="vanished">ops@example.org, lead@example.org</translation>
    </message>
    <message>
        <source>Type:</source>
        <translation type="vanished">Type :</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="vanished">Nom :</translation>
    </message>
    <message>
        <source>URL:</source>
        <translation type="vanished">URL :</translation>
    </message>
    <message>
        <source>E-mail to:</source>
        <translation type="vanished">E-mail à :</translation>
    </message>
    <message>
        <source>Add channel</source>
        <translation type="vanished">Ajouter un canal</translation>
    </message>
    <message>
        <source>Save changes to the selected channel</source>
        <translation type="vanished">Enregistrer les modifications du canal sélectionné</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation type="vanished">Canal</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation type="vanished">Supprimer la sélection</translation>
    </message>
    <message>
        <source>Send test alert</source>
        <translation type="vanished">Envoyer une alerte de test</translation>
    </message>
    <message>
        <source>Raises a test alert that goes through every enabled channel</source>
        <translation type="vanished">Déclenche une alerte de test qui passe par chaque canal actif</translation>
    </message>
    <message>
        <source>Test alert %1 raised; each enabled channel is sent it (see its deliveries in Alerts).</source>
        <translation type="vanished">Alerte de test %1 déclenchée ; chaque canal actif la reçoit (voir ses envois dans Alertes).</translation>
    </message>
    <message>
        <source> (disabled)</source>
        <translation type="vanished"> (désactivé)</translation>
    </message>
    <message>
        <source>Secrets: %1</source>
        <translation type="vanished">Secrets : %1</translation>
    </message>
    <message>
        <source>Added %1</source>
        <translation type="vanished">%1 ajouté</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="vanished">%1 enregistré</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation type="vanished">Supprimé</translation>
    </message>
</context>
<context>
    <name>fg::ConnectPanel</name>
    <message>
        <source>No request has been refused since FlowGuard started.</source>
        <translation type="vanished">Aucune requête refusée depuis le démarrage de FlowGuard.</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="vanished">Copier</translation>
    </message>
    <message>
        <source>Copy the snippet to the clipboard</source>
        <translation type="vanished">Copier l’extrait dans le presse-papiers</translation>
    </message>
    <message>
        <source>Ingest inspector: requests refused lately</source>
        <translation type="vanished">Inspecteur d’ingestion : requêtes refusées récemment</translation>
    </message>
    <message>
        <source>Send your services&apos; logs, metrics and traces here: pick how they talk and paste the snippet. A tick shows once the first items of that kind have arrived.</source>
        <translation type="vanished">Envoyez ici les logs, métriques et traces de vos services : choisissez leur protocole et collez l’extrait. Une coche apparaît dès que les premiers éléments de ce type sont arrivés.</translation>
    </message>
    <message>
        <source>This listener requires a token: create one in Settings → API tokens and set FLOWGUARD_TOKEN.</source>
        <translation type="vanished">Ce listener exige un jeton : créez-en un dans Paramètres → Jetons d’API et définissez FLOWGUARD_TOKEN.</translation>
    </message>
    <message>
        <source>Received: %1 items in %2 requests, last %3</source>
        <translation type="vanished">Reçu : %1 éléments en %2 requêtes, dernier %3</translation>
    </message>
    <message>
        <source>Waiting for the first items…</source>
        <translation type="vanished">En attente des premiers éléments…</translation>
    </message>
    <message>
        <source>Items have arrived in this format</source>
        <translation type="vanished">Des éléments sont arrivés dans ce format</translation>
    </message>
    <message>
        <source>Nothing received in this format yet</source>
        <translation type="vanished">Rien reçu dans ce format pour l’instant</translation>
    </message>
</context>
<context>
    <name>fg::CsvFileWriter</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="vanished">Impossible d’écrire %1 : %2</translation>
    </message>
</context>
<context>
    <name>fg::DesktopSession</name>
    <message>
        <source>FlowGuard cannot start</source>
        <translation type="vanished">FlowGuard ne peut pas démarrer</translation>
    </message>
</context>
<context>
    <name>fg::DetectionSettingsPage</name>
    <message>
        <source>Low: only large, clear degradations</source>
        <translation type="vanished">Basse : seulement les dégradations nettes et importantes</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation type="vanished">Normale</translation>
    </message>
    <message>
        <source>High: early, smaller drifts too</source>
        <translation type="vanished">Haute : tôt, y compris les petites dérives</translation>
    </message>
    <message>
        <source>Sensitivity:</source>
        <translation type="vanished">Sensibilité :</translation>
    </message>
    <message>
        <source>Alert after a degradation lasts:</source>
        <translation type="vanished">Alerter quand une dégradation dure :</translation>
    </message>
    <message>
        <source>Resolve after it is gone for:</source>
        <translation type="vanished">Résoudre quand elle a disparu depuis :</translation>
    </message>
    <message>
        <source>Learn baselines for:</source>
        <translation type="vanished">Apprendre les références pendant :</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>p95 latency SLO (ms)</source>
        <translation type="vanished">SLO latence p95 (ms)</translation>
    </message>
    <message>
        <source>Error rate SLO (%)</source>
        <translation type="vanished">SLO taux d’erreur (%)</translation>
    </message>
    <message>
        <source>Add SLO</source>
        <translation type="vanished">Ajouter un SLO</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation type="vanished">Supprimer la sélection</translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="vanished">Enregistrer</translation>
    </message>
    <message>
        <source>Per-service objectives: a service beyond its SLO counts as degraded whatever its baseline. Empty cells mean no objective.</source>
        <translation type="vanished">Objectifs par service : un service au-delà de son SLO est considéré dégradé quelle que soit sa référence. Une cellule vide signifie aucun objectif.</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="vanished">Non enregistré : %1</translation>
    </message>
    <message>
        <source>Saved; detection uses these settings from now on.</source>
        <translation type="vanished">Enregistré ; la détection utilise ces réglages dès maintenant.</translation>
    </message>
</context>
<context>
    <name>fg::EndpointsModel</name>
    <message>
        <source>%1 ms (baseline %2)</source>
        <translation type="vanished">%1 ms (référence %2)</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="vanished">%1 ms</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="vanished">%1 %</translation>
    </message>
    <message>
        <source>Endpoint</source>
        <translation type="vanished">Endpoint</translation>
    </message>
    <message>
        <source>Health</source>
        <translation type="vanished">Santé</translation>
    </message>
    <message>
        <source>State</source>
        <translation type="vanished">État</translation>
    </message>
    <message>
        <source>p95 latency</source>
        <translation type="vanished">Latence p95</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="vanished">Erreurs</translation>
    </message>
</context>
<context>
    <name>fg::EvidenceChart</name>
    <message>
        <source>Baseline</source>
        <translation type="vanished">Référence</translation>
    </message>
    <message>
        <source>Fired</source>
        <translation type="vanished">Déclenchée</translation>
    </message>
    <message>
        <source>Error rate (%)</source>
        <translation type="vanished">Taux d’erreur (%)</translation>
    </message>
    <message>
        <source>Throughput (req/s)</source>
        <translation type="vanished">Débit (req/s)</translation>
    </message>
    <message>
        <source>p95 latency (ms)</source>
        <translation type="vanished">Latence p95 (ms)</translation>
    </message>
</context>
<context>
    <name>fg::GeneralSettingsPage</name>
    <message>
        <source>ADDR:PORT. Any address but loopback needs an API token (see API tokens).</source>
        <translation type="vanished">ADRESSE:PORT. Toute adresse autre que loopback exige un jeton d’API (voir Jetons d’API).</translation>
    </message>
    <message>
        <source>How long raw logs and metric points are kept: 12h, 7d, 30d… or off to keep all.</source>
        <translation type="vanished">Durée de conservation des logs bruts et des points de métriques : 12h, 7d, 30d… ou off pour tout garder.</translation>
    </message>
    <message>
        <source>Listener address:</source>
        <translation type="vanished">Adresse du listener :</translation>
    </message>
    <message>
        <source>Keep raw data for:</source>
        <translation type="vanished">Conserver les données brutes :</translation>
    </message>
    <message>
        <source>These take effect when FlowGuard restarts. A command-line flag or a FLOWGUARD_… environment variable wins over what is saved here.</source>
        <translation type="vanished">Ces réglages prennent effet au redémarrage de FlowGuard. Une option de ligne de commande ou une variable d’environnement FLOWGUARD_… l’emporte sur ce qui est enregistré ici.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="vanished">Enregistrer</translation>
    </message>
    <message>
        <source>Running now: listening on %1, keeping raw data %2.</source>
        <translation type="vanished">Actuellement : écoute sur %1, données brutes conservées %2.</translation>
    </message>
    <message>
        <source>for %1</source>
        <translation type="vanished">pendant %1</translation>
    </message>
    <message>
        <source>forever</source>
        <translation type="vanished">sans limite</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="vanished">Non enregistré : %1</translation>
    </message>
    <message>
        <source>Saved. Restart FlowGuard to use them.</source>
        <translation type="vanished">Enregistré. Redémarrez FlowGuard pour les appliquer.</translation>
    </message>
</context>
<context>
    <name>fg::IncidentsModel</name>
    <message numerus="yes">
        <source>%n to acknowledge</source>
        <translation type="vanished">
            <numerusform>%n à prendre en charge</numerusform>
            <numerusform>%n à prendre en charge</numerusform>
        </translation>
    </message>
    <message>
        <source>#%1 %2</source>
        <translation type="vanished">#%1 %2</translation>
    </message>
    <message>
        <source>, silenced</source>
        <translation type="vanished">, en silence</translation>
    </message>
    <message>
        <source>Severity</source>
        <translation type="vanished">Gravité</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>Incident</source>
        <translation type="vanished">Incident</translation>
    </message>
    <message>
        <source>State</source>
        <translation type="vanished">État</translation>
    </message>
    <message>
        <source>Opened</source>
        <translation type="vanished">Ouvert</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation type="vanished">Dernière activité</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="vanished">Durée</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="vanished">Alertes</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation type="vanished">Pris en charge</translation>
    </message>
</context>
<context>
    <name>fg::IncidentsView</name>
    <message>
        <source>Acknowledge…</source>
        <translation type="vanished">Prendre en charge…</translation>
    </message>
    <message>
        <source>Silence…</source>
        <translation type="vanished">Mettre en silence…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="vanished">Ouverts</translation>
    </message>
    <message>
        <source>All</source>
        <translation type="vanished">Tous</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation type="vanished">Clos</translation>
    </message>
    <message>
        <source>Acknowledge every open alert of the selected incidents</source>
        <translation type="vanished">Prendre en charge chaque alerte ouverte des incidents sélectionnés</translation>
    </message>
    <message>
        <source>Silence the selected incidents&apos; services for a while</source>
        <translation type="vanished">Mettre en silence les services des incidents sélectionnés pour un temps</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation type="vanished">Afficher :</translation>
    </message>
    <message numerus="yes">
        <source>%n incident(s)</source>
        <translation type="vanished">
            <numerusform>%n incident</numerusform>
            <numerusform>%n incidents</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>#%1 %2 — %3 (%n open alert(s))</source>
        <translation type="vanished">
            <numerusform>#%1 %2 — %3 (%n alerte ouverte)</numerusform>
            <numerusform>#%1 %2 — %3 (%n alertes ouvertes)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more incident(s)</source>
        <translation type="vanished">
            <numerusform>et %n autre incident</numerusform>
            <numerusform>et %n autres incidents</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Acknowledge %n incident(s)</source>
        <translation type="vanished">
            <numerusform>Prendre en charge %n incident</numerusform>
            <numerusform>Prendre en charge %n incidents</numerusform>
        </translation>
    </message>
    <message>
        <source>Nothing to acknowledge: every open alert of the selection already is</source>
        <translation type="vanished">Rien à prendre en charge : chaque alerte ouverte de la sélection l’est déjà</translation>
    </message>
    <message numerus="yes">
        <source>Acknowledged %n alert(s)</source>
        <translation type="vanished">
            <numerusform>%n alerte prise en charge</numerusform>
            <numerusform>%n alertes prises en charge</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Silenced %n service(s)</source>
        <translation type="vanished">
            <numerusform>%n service mis en silence</numerusform>
            <numerusform>%n services mis en silence</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::LogsModel</name>
    <message>
        <source>Request: %1 %2</source>
        <translation type="vanished">Requête : %1 %2</translation>
    </message>
    <message>
        <source>Status: %1</source>
        <translation type="vanished">Statut : %1</translation>
    </message>
    <message>
        <source>Latency: %1 ms</source>
        <translation type="vanished">Latence : %1 ms</translation>
    </message>
    <message>
        <source>Trace: %1</source>
        <translation type="vanished">Trace : %1</translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="vanished">Heure</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="vanished">Niveau</translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="vanished">Message</translation>
    </message>
</context>
<context>
    <name>fg::LogsView</name>
    <message>
        <source>Last 15 min</source>
        <translation type="vanished">15 dernières min</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="vanished">Dernière heure</translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="vanished">Dernières 24 heures</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="vanished">7 derniers jours</translation>
    </message>
    <message>
        <source>Everything</source>
        <translation type="vanished">Tout</translation>
    </message>
    <message>
        <source>Follow</source>
        <translation type="vanished">Suivre</translation>
    </message>
    <message>
        <source>All services</source>
        <translation type="vanished">Tous les services</translation>
    </message>
    <message>
        <source>Any level</source>
        <translation type="vanished">Tout niveau</translation>
    </message>
    <message>
        <source>%1 and above</source>
        <translation type="vanished">%1 et plus</translation>
    </message>
    <message>
        <source>Text in the message…</source>
        <translation type="vanished">Texte dans le message…</translation>
    </message>
    <message>
        <source>Show new events on top as they arrive</source>
        <translation type="vanished">Afficher les nouveaux événements en haut dès leur arrivée</translation>
    </message>
    <message>
        <source>Search</source>
        <translation type="vanished">Rechercher</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation type="vanished">Recherche…</translation>
    </message>
    <message>
        <source>Trace: %1 — show its other events</source>
        <translation type="vanished">Trace : %1 — afficher ses autres événements</translation>
    </message>
    <message>
        <source>No stored events match.</source>
        <translation type="vanished">Aucun événement stocké ne correspond.</translation>
    </message>
    <message>
        <source>%1 events shown, newest first; scroll down for older ones</source>
        <translation type="vanished">%1 événements affichés, les plus récents d’abord ; faites défiler pour les plus anciens</translation>
    </message>
    <message>
        <source>%1 events, newest first</source>
        <translation type="vanished">%1 événements, les plus récents d’abord</translation>
    </message>
</context>
<context>
    <name>fg::MainWindow</name>
    <message>
        <source>FlowGuard</source>
        <translation type="vanished">FlowGuard</translation>
    </message>
    <message>
        <source>Services</source>
        <translation type="vanished">Services</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation type="vanished">Logs</translation>
    </message>
    <message>
        <source>Incidents</source>
        <translation type="vanished">Incidents</translation>
    </message>
    <message>
        <source>Alert history</source>
        <translation type="vanished">Historique des alertes</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation type="vanished">Alertes</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="vanished">Paramètres</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation type="vanished">Connecter</translation>
    </message>
    <message>
        <source>&amp;Mute notifications for 1 h</source>
        <translation type="vanished">&amp;Couper les notifications pendant 1 h</translation>
    </message>
    <message>
        <source>The listener your services send their logs and metrics to</source>
        <translation type="vanished">Le listener auquel vos services envoient leurs logs et métriques</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation type="vanished">Démarrage…</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="vanished">&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="vanished">&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="vanished">&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation type="vanished">&amp;Actualiser</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation type="vanished">&amp;Rechercher…</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation type="vanished">&amp;Paramètres</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="vanished">&amp;Paramètres…</translation>
    </message>
    <message>
        <source>Notification &amp;channels…</source>
        <translation type="vanished">&amp;Canaux de notification…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="vanished">&amp;Aide</translation>
    </message>
    <message>
        <source>&amp;Connect a client…</source>
        <translation type="vanished">&amp;Connecter un client…</translation>
    </message>
    <message>
        <source>&amp;About FlowGuard</source>
        <translation type="vanished">À &amp;propos de FlowGuard</translation>
    </message>
    <message>
        <source>About FlowGuard</source>
        <translation type="vanished">À propos de FlowGuard</translation>
    </message>
    <message>
        <source>&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Local ingest, storage and early degradation alerts for service logs and metrics.&lt;/p&gt;&lt;p&gt;Listening on %2&lt;br&gt;Database: %3&lt;/p&gt;</source>
        <translation type="vanished">&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Ingestion et stockage locaux, et alertes précoces de dégradation pour les logs et métriques de services.&lt;/p&gt;&lt;p&gt;Écoute sur %2&lt;br&gt;Base de données : %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Starting: opening the database and restoring alerts…</source>
        <translation type="vanished">Démarrage : ouverture de la base et restauration des alertes…</translation>
    </message>
    <message>
        <source>FlowGuard could not start: %1</source>
        <translation type="vanished">FlowGuard n’a pas pu démarrer : %1</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation type="vanished">Prêt</translation>
    </message>
    <message>
        <source>&amp;Open FlowGuard</source>
        <translation type="vanished">&amp;Ouvrir FlowGuard</translation>
    </message>
    <message>
        <source>Notifications muted until %1 (click to unmute)</source>
        <translation type="vanished">Notifications coupées jusqu’à %1 (cliquer pour réactiver)</translation>
    </message>
    <message>
        <source>Notifications muted until %1</source>
        <translation type="vanished">Notifications coupées jusqu’à %1</translation>
    </message>
    <message>
        <source>FlowGuard keeps monitoring</source>
        <translation type="vanished">FlowGuard continue la surveillance</translation>
    </message>
    <message>
        <source>FlowGuard is still receiving events and will notify you of alerts. Open it from the tray icon; quit it from the tray menu or with Ctrl+Q.</source>
        <translation type="vanished">FlowGuard reçoit toujours des événements et vous notifiera des alertes. Ouvrez-le depuis l’icône de la zone de notification ; quittez-le depuis son menu ou avec Ctrl+Q.</translation>
    </message>
    <message>
        <source>Quit FlowGuard?</source>
        <translation type="vanished">Quitter FlowGuard ?</translation>
    </message>
    <message>
        <source>Closing the window stops FlowGuard: services can no longer send events to it and no alerts will be raised.</source>
        <translation type="vanished">Fermer la fenêtre arrête FlowGuard : les services ne pourront plus lui envoyer d’événements et aucune alerte ne sera levée.</translation>
    </message>
    <message numerus="yes">
        <source>FlowGuard — %n firing alert(s)</source>
        <translation type="vanished">
            <numerusform>FlowGuard — %n alerte active</numerusform>
            <numerusform>FlowGuard — %n alertes actives</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 items/s</source>
        <translation type="vanished">%1 éléments/s</translation>
    </message>
    <message>
        <source>Accepted items per second over the last 10 seconds</source>
        <translation type="vanished">Éléments acceptés par seconde sur les 10 dernières secondes</translation>
    </message>
    <message>
        <source>%1 logs, %2 metric points</source>
        <translation type="vanished">%1 logs, %2 points de métriques</translation>
    </message>
    <message>
        <source>%1 ingest requests (%2 items rejected)</source>
        <translation type="vanished">%1 requêtes d’ingestion (%2 éléments rejetés)</translation>
    </message>
    <message>
        <source>Detectors learning from stored history…</source>
        <translation type="vanished">Les détecteurs apprennent de l’historique stocké…</translation>
    </message>
    <message>
        <source>Analysis %1 events behind</source>
        <translation type="vanished">Analyse en retard de %1 événements</translation>
    </message>
    <message>
        <source>Writing (%1 requests queued)</source>
        <translation type="vanished">Écriture (%1 requêtes en file)</translation>
    </message>
</context>
<context>
    <name>fg::PatternsModel</name>
    <message>
        <source>NEW  %1</source>
        <translation type="vanished">NOUVEAU  %1</translation>
    </message>
    <message>
        <source>Example: %1</source>
        <translation type="vanished">Exemple : %1</translation>
    </message>
    <message>
        <source>%1 in the range, %2 in all</source>
        <translation type="vanished">%1 sur la période, %2 au total</translation>
    </message>
    <message>
        <source>Error pattern</source>
        <translation type="vanished">Motif d’erreur</translation>
    </message>
    <message>
        <source>Count</source>
        <translation type="vanished">Nombre</translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="vanished">Niveau</translation>
    </message>
    <message>
        <source>First seen</source>
        <translation type="vanished">Vu la première fois</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="vanished">Vu la dernière fois</translation>
    </message>
</context>
<context>
    <name>fg::RejectionsModel</name>
    <message numerus="yes">
        <source>%1, %n item(s) refused</source>
        <translation type="vanished">
            <numerusform>%1, %n élément refusé</numerusform>
            <numerusform>%1, %n éléments refusés</numerusform>
        </translation>
    </message>
    <message>
        <source>this window</source>
        <translation type="vanished">cette fenêtre</translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="vanished">Heure</translation>
    </message>
    <message>
        <source>Route</source>
        <translation type="vanished">Route</translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="vanished">Statut</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation type="vanished">Raison</translation>
    </message>
    <message>
        <source>Field</source>
        <translation type="vanished">Champ</translation>
    </message>
    <message>
        <source>From</source>
        <translation type="vanished">Origine</translation>
    </message>
</context>
<context>
    <name>fg::RulesView</name>
    <message>
        <source>On</source>
        <translation type="vanished">Active</translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="vanished">Nom</translation>
    </message>
    <message>
        <source>Condition</source>
        <translation type="vanished">Condition</translation>
    </message>
    <message>
        <source>Window</source>
        <translation type="vanished">Fenêtre</translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="vanished">Niveau</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation type="vanished">Canaux</translation>
    </message>
    <message>
        <source>error_rate &gt; 5% and p95_latency_ms &gt; 800</source>
        <translation type="vanished">error_rate &gt; 5% and p95_latency_ms &gt; 800</translation>
    </message>
    <message>
        <source>empty: every channel</source>
        <translation type="vanished">vide : tous les canaux</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="vanished">Nom :</translation>
    </message>
    <message>
        <source>Condition:</source>
        <translation type="vanished">Condition :</translation>
    </message>
    <message>
        <source>Window:</source>
        <translation type="vanished">Fenêtre :</translation>
    </message>
    <message>
        <source>For:</source>
        <translation type="vanished">Durée :</translation>
    </message>
    <message>
        <source>Level:</source>
        <translation type="vanished">Niveau :</translation>
    </message>
    <message>
        <source>Service:</source>
        <translation type="vanished">Service :</translation>
    </message>
    <message>
        <source>Channels:</source>
        <translation type="vanished">Canaux :</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation type="vanished">Ajouter une règle</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation type="vanished">Nouvelle règle</translation>
    </message>
    <message>
        <source>Delete selected rule</source>
        <translation type="vanished">Supprimer la règle sélectionnée</translation>
    </message>
    <message>
        <source>Save rule</source>
        <translation type="vanished">Enregistrer la règle</translation>
    </message>
    <message>
        <source>Saved rule %1</source>
        <translation type="vanished">Règle %1 enregistrée</translation>
    </message>
    <message>
        <source>(built-in: %1)</source>
        <translation type="vanished">(intégrée : %1)</translation>
    </message>
    <message>
        <source>all</source>
        <translation type="vanished">tous</translation>
    </message>
    <message>
        <source>Added rule %1</source>
        <translation type="vanished">Règle %1 ajoutée</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation type="vanished">Supprimée</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation type="vanished">Enregistré</translation>
    </message>
</context>
<context>
    <name>fg::ServiceView</name>
    <message>
        <source>15 min</source>
        <translation type="vanished">15 min</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation type="vanished">1 heure</translation>
    </message>
    <message>
        <source>6 hours</source>
        <translation type="vanished">6 heures</translation>
    </message>
    <message>
        <source>24 hours</source>
        <translation type="vanished">24 heures</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation type="vanished">7 jours</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation type="vanished">Latence</translation>
    </message>
    <message>
        <source>ms</source>
        <translation type="vanished">ms</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation type="vanished">Taux d’erreur</translation>
    </message>
    <message>
        <source>%</source>
        <translation type="vanished">%</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation type="vanished">Débit</translation>
    </message>
    <message>
        <source>req/s</source>
        <translation type="vanished">req/s</translation>
    </message>
    <message>
        <source>No service chosen</source>
        <translation type="vanished">Aucun service choisi</translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation type="vanished">Personnalisé…</translation>
    </message>
    <message>
        <source>Time range of the timelines. Wheel over a chart to zoom, drag to pan, double click to reset.</source>
        <translation type="vanished">Période des courbes. Molette sur un graphique pour zoomer, glisser pour se déplacer, double-clic pour réinitialiser.</translation>
    </message>
    <message>
        <source>Whole service</source>
        <translation type="vanished">Service entier</translation>
    </message>
    <message>
        <source>Back to the timelines of the whole service</source>
        <translation type="vanished">Revenir aux courbes du service entier</translation>
    </message>
    <message>
        <source>Logs</source>
        <translation type="vanished">Logs</translation>
    </message>
    <message>
        <source>This service&apos;s stored logs</source>
        <translation type="vanished">Les logs stockés de ce service</translation>
    </message>
    <message>
        <source>Range:</source>
        <translation type="vanished">Période :</translation>
    </message>
    <message>
        <source>Double click an endpoint for its own timelines</source>
        <translation type="vanished">Double-cliquez sur un endpoint pour ses propres courbes</translation>
    </message>
    <message>
        <source>Alert #%1 (%2): %3</source>
        <translation type="vanished">Alerte #%1 (%2) : %3</translation>
    </message>
    <message>
        <source>p95</source>
        <translation type="vanished">p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation type="vanished">p99</translation>
    </message>
    <message>
        <source>error rate</source>
        <translation type="vanished">taux d’erreur</translation>
    </message>
    <message>
        <source>throughput</source>
        <translation type="vanished">débit</translation>
    </message>
    <message>
        <source>p95 %1 ms</source>
        <translation type="vanished">p95 %1 ms</translation>
    </message>
    <message>
        <source> (baseline %1 ms)</source>
        <translation type="vanished"> (référence %1 ms)</translation>
    </message>
    <message>
        <source>errors %1 %</source>
        <translation type="vanished">erreurs %1 %</translation>
    </message>
    <message numerus="yes">
        <source>%n open degradation(s)</source>
        <translation type="vanished">
            <numerusform>%n dégradation ouverte</numerusform>
            <numerusform>%n dégradations ouvertes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::ServicesModel</name>
    <message>
        <source>%1 ms</source>
        <translation type="vanished">%1 ms</translation>
    </message>
    <message>
        <source>%1 (baseline %2)</source>
        <translation type="vanished">%1 (référence %2)</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="vanished">%1 %</translation>
    </message>
    <message>
        <source>%1/s</source>
        <translation type="vanished">%1/s</translation>
    </message>
    <message>
        <source>p95 latency per minute over the last hour (events per second for services without requests)</source>
        <translation type="vanished">Latence p95 par minute sur la dernière heure (événements par seconde pour les services sans requêtes)</translation>
    </message>
    <message>
        <source>Health %1 of 100: %2</source>
        <translation type="vanished">Santé %1 sur 100 : %2</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>Health</source>
        <translation type="vanished">Santé</translation>
    </message>
    <message>
        <source>State</source>
        <translation type="vanished">État</translation>
    </message>
    <message>
        <source>p95 latency</source>
        <translation type="vanished">Latence p95</translation>
    </message>
    <message>
        <source>Errors</source>
        <translation type="vanished">Erreurs</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation type="vanished">Débit</translation>
    </message>
    <message>
        <source>Open alerts</source>
        <translation type="vanished">Alertes ouvertes</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation type="vanished">Vu la dernière fois</translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="vanished">Dernière heure</translation>
    </message>
</context>
<context>
    <name>fg::ServicesOverview</name>
    <message>
        <source>Filter services…</source>
        <translation type="vanished">Filtrer les services…</translation>
    </message>
    <message>
        <source>&lt;h3&gt;No service has sent anything yet&lt;/h3&gt;&lt;p&gt;Point your services&apos; logs at FlowGuard&apos;s listener. To try it, send a first event:&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Every service that sends logs or metrics shows up here within a few seconds, with its health, latency, errors and throughput.&lt;/p&gt;</source>
        <translation type="vanished">&lt;h3&gt;Aucun service n’a encore rien envoyé&lt;/h3&gt;&lt;p&gt;Dirigez les logs de vos services vers le listener de FlowGuard. Pour essayer, envoyez un premier événement :&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Chaque service qui envoie des logs ou des métriques apparaît ici en quelques secondes, avec sa santé, sa latence, ses erreurs et son débit.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <source>%n service(s)</source>
        <translation type="vanished">
            <numerusform>%n service</numerusform>
            <numerusform>%n services</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n service(s): %1</source>
        <translation type="vanished">
            <numerusform>%n service : %1</numerusform>
            <numerusform>%n services : %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::SettingsView</name>
    <message>
        <source>General</source>
        <translation type="vanished">Général</translation>
    </message>
    <message>
        <source>Detection</source>
        <translation type="vanished">Détection</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="vanished">Tags</translation>
    </message>
    <message>
        <source>Alert rules</source>
        <translation type="vanished">Règles d’alerte</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation type="vanished">Canaux</translation>
    </message>
    <message>
        <source>API tokens</source>
        <translation type="vanished">Jetons d’API</translation>
    </message>
</context>
<context>
    <name>fg::SilenceDialog</name>
    <message>
        <source>Silence incidents</source>
        <translation type="vanished">Mettre des incidents en silence</translation>
    </message>
    <message>
        <source>&lt;b&gt;Silence every alert of %1&lt;/b&gt;</source>
        <translation type="vanished">&lt;b&gt;Mettre en silence chaque alerte de %1&lt;/b&gt;</translation>
    </message>
    <message>
        <source>30 minutes</source>
        <translation type="vanished">30 minutes</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation type="vanished">1 heure</translation>
    </message>
    <message>
        <source>2 hours</source>
        <translation type="vanished">2 heures</translation>
    </message>
    <message>
        <source>4 hours</source>
        <translation type="vanished">4 heures</translation>
    </message>
    <message>
        <source>8 hours</source>
        <translation type="vanished">8 heures</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation type="vanished">1 jour</translation>
    </message>
    <message>
        <source>Who silences them</source>
        <translation type="vanished">Qui les met en silence</translation>
    </message>
    <message>
        <source>Optional, e.g. &quot;deploy in progress&quot;</source>
        <translation type="vanished">Facultatif, p. ex. « déploiement en cours »</translation>
    </message>
    <message>
        <source>Silence</source>
        <translation type="vanished">Silence</translation>
    </message>
    <message>
        <source>For:</source>
        <translation type="vanished">Pendant :</translation>
    </message>
    <message>
        <source>Your name:</source>
        <translation type="vanished">Votre nom :</translation>
    </message>
    <message>
        <source>Comment:</source>
        <translation type="vanished">Commentaire :</translation>
    </message>
</context>
<context>
    <name>fg::StatePalette</name>
    <message>
        <source>healthy</source>
        <translation type="vanished">sain</translation>
    </message>
    <message>
        <source>degraded</source>
        <translation type="vanished">dégradé</translation>
    </message>
    <message>
        <source>critical</source>
        <translation type="vanished">critique</translation>
    </message>
    <message>
        <source>silent</source>
        <translation type="vanished">muet</translation>
    </message>
</context>
<context>
    <name>fg::TagRulesPage</name>
    <message>
        <source>Tag</source>
        <translation type="vanished">Tag</translation>
    </message>
    <message>
        <source>Words or phrases (comma-separated)</source>
        <translation type="vanished">Mots ou expressions (séparés par des virgules)</translation>
    </message>
    <message>
        <source>From HTTP status</source>
        <translation type="vanished">À partir du statut HTTP</translation>
    </message>
    <message>
        <source>Events whose message contains any of the words (whole words, any case), or whose status is at least the given one, get the tag; tags filter logs and patterns.</source>
        <translation type="vanished">Les événements dont le message contient l’un des mots (mots entiers, casse indifférente), ou dont le statut atteint au moins celui indiqué, reçoivent le tag ; les tags filtrent logs et motifs.</translation>
    </message>
    <message>
        <source>Add rule</source>
        <translation type="vanished">Ajouter une règle</translation>
    </message>
    <message>
        <source>Remove selected</source>
        <translation type="vanished">Supprimer la sélection</translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="vanished">Enregistrer</translation>
    </message>
    <message>
        <source>Built-in tags, always applied: %1</source>
        <translation type="vanished">Tags intégrés, toujours appliqués : %1</translation>
    </message>
    <message>
        <source>Not saved: %1</source>
        <translation type="vanished">Non enregistré : %1</translation>
    </message>
    <message>
        <source>Saved; new events are tagged with these rules.</source>
        <translation type="vanished">Enregistré ; les nouveaux événements sont tagués selon ces règles.</translation>
    </message>
</context>
<context>
    <name>fg::TimeText</name>
    <message>
        <source>never</source>
        <translation type="vanished">jamais</translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="vanished">à l’instant</translation>
    </message>
    <message numerus="yes">
        <source>%n s ago</source>
        <translation type="vanished">
            <numerusform>il y a %n s</numerusform>
            <numerusform>il y a %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation type="vanished">
            <numerusform>il y a %n min</numerusform>
            <numerusform>il y a %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation type="vanished">
            <numerusform>il y a %n h</numerusform>
            <numerusform>il y a %n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n d ago</source>
        <translation type="vanished">
            <numerusform>il y a %n j</numerusform>
            <numerusform>il y a %n j</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="vanished">%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="vanished">%1 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="vanished">%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation type="vanished">%1 j %2 h</translation>
    </message>
</context>
<context>
    <name>fg::TimeWindowDialog</name>
    <message>
        <source>Time window</source>
        <translation type="vanished">Période</translation>
    </message>
    <message>
        <source>From:</source>
        <translation type="vanished">Du :</translation>
    </message>
    <message>
        <source>To:</source>
        <translation type="vanished">Au :</translation>
    </message>
</context>
<context>
    <name>fg::TimelineChart</name>
    <message>
        <source>degradation</source>
        <translation type="vanished">dégradation</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation type="vanished">référence</translation>
    </message>
    <message>
        <source>alert</source>
        <translation type="vanished">alerte</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="vanished">%1 %2</translation>
    </message>
    <message>
        <source>baseline: %1 – %2</source>
        <translation type="vanished">référence : %1 – %2</translation>
    </message>
    <message>
        <source>&lt;i&gt;degradation open&lt;/i&gt;</source>
        <translation type="vanished">&lt;i&gt;dégradation en cours&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Click to open the alert</source>
        <translation type="vanished">Cliquer pour ouvrir l’alerte</translation>
    </message>
</context>
<context>
    <name>fg::TokensPage</name>
    <message>
        <source>Ingest: send logs and metrics</source>
        <translation type="vanished">Ingestion : envoyer logs et métriques</translation>
    </message>
    <message>
        <source>Read: query the API</source>
        <translation type="vanished">Lecture : interroger l’API</translation>
    </message>
    <message>
        <source>Admin: everything, including rules, channels and silences</source>
        <translation type="vanished">Admin : tout, y compris règles, canaux et silences</translation>
    </message>
    <message>
        <source>Id</source>
        <translation type="vanished">Id</translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="vanished">Nom</translation>
    </message>
    <message>
        <source>Prefix</source>
        <translation type="vanished">Préfixe</translation>
    </message>
    <message>
        <source>Scopes</source>
        <translation type="vanished">Portées</translation>
    </message>
    <message>
        <source>Created</source>
        <translation type="vanished">Créé</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation type="vanished">Dernière utilisation</translation>
    </message>
    <message>
        <source>Tokens let services and tools on other machines reach this listener (a token is required on any address but loopback). Each is shown only once, when created.</source>
        <translation type="vanished">Les jetons permettent aux services et outils d’autres machines d’atteindre ce listener (un jeton est exigé sur toute adresse autre que loopback). Chacun n’est affiché qu’une fois, à sa création.</translation>
    </message>
    <message>
        <source>collectors</source>
        <translation type="vanished">collecteurs</translation>
    </message>
    <message>
        <source>The new token appears here, once</source>
        <translation type="vanished">Le nouveau jeton apparaît ici, une seule fois</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation type="vanished">Copier</translation>
    </message>
    <message>
        <source>Create token</source>
        <translation type="vanished">Créer un jeton</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation type="vanished">Nom :</translation>
    </message>
    <message>
        <source>Scopes:</source>
        <translation type="vanished">Portées :</translation>
    </message>
    <message>
        <source>New token:</source>
        <translation type="vanished">Nouveau jeton :</translation>
    </message>
    <message>
        <source>New token</source>
        <translation type="vanished">Nouveau jeton</translation>
    </message>
    <message>
        <source>Revoke selected</source>
        <translation type="vanished">Révoquer la sélection</translation>
    </message>
    <message>
        <source>FlowGuard is not running yet</source>
        <translation type="vanished">FlowGuard n’est pas encore démarré</translation>
    </message>
    <message>
        <source>Choose at least one scope</source>
        <translation type="vanished">Choisissez au moins une portée</translation>
    </message>
    <message>
        <source>Name: %1</source>
        <translation type="vanished">Nom : %1</translation>
    </message>
    <message>
        <source>Created. Copy the token now: it is not shown again.</source>
        <translation type="vanished">Créé. Copiez le jeton maintenant : il ne sera plus affiché.</translation>
    </message>
    <message>
        <source>never</source>
        <translation type="vanished">jamais</translation>
    </message>
</context>
<context>
    <name>fg::TraceDialog</name>
    <message>
        <source>Loading…</source>
        <translation type="vanished">Chargement…</translation>
    </message>
    <message>
        <source>Trace %1</source>
        <translation type="vanished">Trace %1</translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="vanished">Heure</translation>
    </message>
    <message>
        <source>Service</source>
        <translation type="vanished">Service</translation>
    </message>
    <message>
        <source>Level</source>
        <translation type="vanished">Niveau</translation>
    </message>
    <message>
        <source>Span or message</source>
        <translation type="vanished">Span ou message</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation type="vanished">Durée</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="vanished">%1 ms</translation>
    </message>
    <message numerus="yes">
        <source>%n span(s)</source>
        <translation type="vanished">
            <numerusform>%n span</numerusform>
            <numerusform>%n spans</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n log event(s)</source>
        <translation type="vanished">
            <numerusform>%n événement de log</numerusform>
            <numerusform>%n événements de log</numerusform>
        </translation>
    </message>
    <message>
        <source>(the newest %1 events only)</source>
        <translation type="vanished">(seulement les %1 événements les plus récents)</translation>
    </message>
</context>
<context>
    <name>fg::TrayNotifier</name>
    <message>
        <source>FlowGuard</source>
        <translation type="vanished">FlowGuard</translation>
    </message>
    <message>
        <source>Open</source>
        <translation type="vanished">Ouvrir</translation>
    </message>
    <message numerus="yes">
        <source>FlowGuard: %n more alert(s)</source>
        <translation type="vanished">
            <numerusform>FlowGuard : %n alerte de plus</numerusform>
            <numerusform>FlowGuard : %n alertes de plus</numerusform>
        </translation>
    </message>
    <message>
        <source>In %1. Open FlowGuard to see the incidents.</source>
        <translation type="vanished">Dans %1. Ouvrez FlowGuard pour voir les incidents.</translation>
    </message>
</context>
</TS>
