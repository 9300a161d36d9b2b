<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>ClientFormats</name>
    <message>
        <location filename="../ui/clientformats.cpp" line="17"/>
        <source>JSON logs (FlowGuard&apos;s own API)</source>
        <translation>Logs JSON (API propre à FlowGuard)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="18"/>
        <source>A JSON array, one object or NDJSON; service is required, the other fields are optional.</source>
        <translation>Un tableau JSON, un objet ou du NDJSON ; service est obligatoire, les autres champs sont facultatifs.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="22"/>
        <source>JSON metrics (FlowGuard&apos;s own API)</source>
        <translation>Métriques JSON (API propre à FlowGuard)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="23"/>
        <source>Named samples with tags, or a KPI snapshot whose numeric fields each become a sample.</source>
        <translation>Des mesures nommées avec leurs tags, ou un instantané de KPI dont chaque champ numérique devient une mesure.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="27"/>
        <source>OpenTelemetry SDK (OTLP/HTTP JSON)</source>
        <translation>SDK OpenTelemetry (OTLP/HTTP JSON)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="28"/>
        <source>Set these in the environment of a service instrumented with an OpenTelemetry SDK: its logs, metrics and traces come here. FlowGuard speaks OTLP/HTTP with JSON bodies, not protobuf.</source>
        <translation>Définissez ces variables dans l’environnement d’un service instrumenté avec un SDK OpenTelemetry : ses logs, métriques et traces arrivent ici. FlowGuard parle OTLP/HTTP avec des corps JSON, pas protobuf.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="33"/>
        <source>OTLP/HTTP JSON with curl</source>
        <translation>OTLP/HTTP JSON avec curl</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="34"/>
        <source>One OTLP log record, as an SDK or collector would send it.</source>
        <translation>Un enregistrement de log OTLP, tel qu’un SDK ou un collecteur l’enverrait.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="40"/>
        <source>Loki push (Promtail, Grafana Alloy, Fluent Bit)</source>
        <translation>Push Loki (Promtail, Grafana Alloy, Fluent Bit)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="41"/>
        <source>Point a Loki client&apos;s push URL here (JSON or its default snappy protobuf); the service comes from the service_name, service, app or job label.</source>
        <translation>Pointez ici l&apos;URL de push d&apos;un client Loki (JSON ou son protobuf snappy par défaut) ; le service vient du label service_name, service, app ou job.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="46"/>
        <source>Elasticsearch _bulk (Fluent Bit, Vector, Filebeat)</source>
        <translation>Elasticsearch _bulk (Fluent Bit, Vector, Filebeat)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="47"/>
        <source>Point a shipper&apos;s Elasticsearch output here; the index names the service unless a document has one.</source>
        <translation>Dirigez ici la sortie Elasticsearch d’un expéditeur de logs ; l’index nomme le service, sauf si un document en indique un.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="52"/>
        <source>Signal API with idempotent ids</source>
        <translation>API de signaux avec identifiants idempotents</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="53"/>
        <source>Logs with a signal_id (a UUID): sending the same one twice stores it once, so retries are safe.</source>
        <translation>Logs avec un signal_id (un UUID) : envoyé deux fois, il n’est stocké qu’une fois, les nouvelles tentatives sont donc sûres.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="58"/>
        <source>Application events</source>
        <translation>Événements applicatifs</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="59"/>
        <source>Typed events with a source, severity (low to critical) and data; read back by id at /events/{id}.</source>
        <translation>Événements typés avec une source, une gravité (low à critical) et des données ; relus par identifiant sur /events/{id}.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="64"/>
        <source>Plain log lines</source>
        <translation>Lignes de log brutes</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="65"/>
        <source>Any text, one event a line; levels and request fields are inferred from each line.</source>
        <translation>N’importe quel texte, un événement par ligne ; niveaux et champs de requête sont déduits de chaque ligne.</translation>
    </message>
</context>
<context>
    <name>fg::AcknowledgeDialog</name>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="16"/>
        <source>Acknowledge alert</source>
        <translation>Prendre en charge l’alerte</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="28"/>
        <source>Who takes care of it</source>
        <translation>Qui s’en occupe</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="29"/>
        <source>Optional, e.g. &quot;rolling back the deploy&quot;</source>
        <translation>Facultatif, p. ex. « retour arrière du déploiement »</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="31"/>
        <source>Acknowledge</source>
        <translation>Prendre en charge</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="34"/>
        <source>Your name:</source>
        <translation>Votre nom :</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="35"/>
        <source>Note:</source>
        <translation>Note :</translation>
    </message>
</context>
<context>
    <name>fg::AlertCsvExport</name>
    <message>
        <location filename="../ui/alertcsvexport.cpp" line="48"/>
        <source>Export cancelled</source>
        <translation>Export annulé</translation>
    </message>
</context>
<context>
    <name>fg::AlertFilterBar</name>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="26"/>
        <source>Open</source>
        <translation>Ouvertes</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="27"/>
        <source>All states</source>
        <translation>Tous les états</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="28"/>
        <source>Pending</source>
        <translation>En attente</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="29"/>
        <source>Firing</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="30"/>
        <source>Resolved</source>
        <translation>Résolue</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="34"/>
        <source>All services</source>
        <translation>Tous les services</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="36"/>
        <source>Any level</source>
        <translation>Tout niveau</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="37"/>
        <source>Warning and above</source>
        <translation>Avertissement et plus</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="38"/>
        <source>Error and above</source>
        <translation>Erreur et plus</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="39"/>
        <source>Critical</source>
        <translation>Critique</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="40"/>
        <source>Last hour</source>
        <translation>Dernière heure</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="41"/>
        <source>Last 24 hours</source>
        <translation>Dernières 24 heures</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="42"/>
        <source>Last 7 days</source>
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="43"/>
        <source>Last 30 days</source>
        <translation>30 derniers jours</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="44"/>
        <source>Everything</source>
        <translation>Tout</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="45"/>
        <source>Custom…</source>
        <translation>Personnalisé…</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="48"/>
        <source>Search service, reason, explanation</source>
        <translation>Rechercher service, raison, explication</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="54"/>
        <source>Show:</source>
        <translation>Afficher :</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="146"/>
        <source>%1 – %2</source>
        <translation>%1 – %2</translation>
    </message>
</context>
<context>
    <name>fg::AlertHistoryChart</name>
    <message>
        <location filename="../ui/alerthistorychart.cpp" line="129"/>
        <source>Alerts per hour</source>
        <translation>Alertes par heure</translation>
    </message>
    <message>
        <location filename="../ui/alerthistorychart.cpp" line="129"/>
        <source>Alerts per day</source>
        <translation>Alertes par jour</translation>
    </message>
</context>
<context>
    <name>fg::AlertText</name>
    <message>
        <location filename="../ui/alerttext.cpp" line="10"/>
        <source>info</source>
        <translation>info</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="12"/>
        <source>warning</source>
        <translation>avertissement</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="14"/>
        <source>error</source>
        <translation>erreur</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="16"/>
        <source>critical</source>
        <translation>critique</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="23"/>
        <source>pending</source>
        <translation>en attente</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="25"/>
        <source>firing</source>
        <translation>active</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="27"/>
        <source>resolved</source>
        <translation>résolue</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="34"/>
        <source>open</source>
        <translation>ouvert</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="36"/>
        <source>closed</source>
        <translation>clos</translation>
    </message>
</context>
<context>
    <name>fg::AlertsModel</name>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="62"/>
        <source> (test)</source>
        <translation> (test)</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="64"/>
        <source>, silenced</source>
        <translation>, en silence</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="78"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="79"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="80"/>
        <source>Reason</source>
        <translation>Raison</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="81"/>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="82"/>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="83"/>
        <source>Fired</source>
        <translation>Déclenchée</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="84"/>
        <source>Resolved</source>
        <translation>Résolue</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="85"/>
        <source>Acknowledged by</source>
        <translation>Pris en charge par</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="86"/>
        <source>Notified</source>
        <translation>Notifiés</translation>
    </message>
</context>
<context>
    <name>fg::AlertsView</name>
    <message>
        <location filename="../ui/alertsview.cpp" line="38"/>
        <source>Acknowledge…</source>
        <translation>Prendre en charge…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="41"/>
        <source>Send test alert</source>
        <translation>Envoyer une alerte de test</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="42"/>
        <source>Export CSV…</source>
        <translation>Exporter en CSV…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="43"/>
        <source>Export every alert the filters show</source>
        <translation>Exporter chaque alerte affichée par les filtres</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="146"/>
        <source>The newest %n alert(s)</source>
        <translation>
            <numerusform>La dernière alerte</numerusform>
            <numerusform>Les %n alertes les plus récentes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="147"/>
        <source>%n alert(s)</source>
        <translation>
            <numerusform>%n alerte</numerusform>
            <numerusform>%n alertes</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="218"/>
        <source>&lt;p&gt;Acknowledged by %1: %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;Pris en charge par %1 : %2&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="221"/>
        <source>&lt;h4&gt;History&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;h4&gt;Historique&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="228"/>
        <source>&lt;/ul&gt;&lt;h4&gt;Notifications&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;/ul&gt;&lt;h4&gt;Notifications&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="251"/>
        <source>#%1 %2 — %3</source>
        <translation>#%1 %2 — %3</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="273"/>
        <source>Acknowledged</source>
        <translation>Prise en charge</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="286"/>
        <source>Test alert sent to every enabled channel</source>
        <translation>Alerte de test envoyée à chaque canal actif</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="294"/>
        <source>Export alerts</source>
        <translation>Exporter les alertes</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="295"/>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="307"/>
        <source>Exporting alerts…</source>
        <translation>Export des alertes…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="307"/>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="314"/>
        <source>Exporting alerts… %n written</source>
        <translation>
            <numerusform>Export des alertes… %n écrite</numerusform>
            <numerusform>Export des alertes… %n écrites</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="321"/>
        <source>Exported %n alert(s)</source>
        <translation>
            <numerusform>%n alerte exportée</numerusform>
            <numerusform>%n alertes exportées</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::ChannelsDialog</name>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="19"/>
        <source>Enabled</source>
        <translation>Actif</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="21"/>
        <source>Notification channels</source>
        <translation>Canaux de notification</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="22"/>
        <source>Slack incoming webhook</source>
        <translation>Webhook entrant Slack</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="23"/>
        <source>Webhook (Alertmanager JSON)</source>
        <translation>Webhook (JSON Alertmanager)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="24"/>
        <source>E-mail (SMTP)</source>
        <translation>E-mail (SMTP)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="25"/>
        <source>Desktop notifications</source>
        <translation>Notifications de bureau</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="27"/>
        <source>https://hooks.slack.com/services/… or smtps://user:password@host</source>
        <translation>https://hooks.slack.com/services/… ou smtps://utilisateur:motdepasse@hôte</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="28"/>
        <source>ops@example.org, lead@example.org</source>
        <translation>ops@example.org, lead@example.org</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="31"/>
        <source>Type:</source>
        <translation>Type :</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="32"/>
        <source>Name:</source>
        <translation>Nom :</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="33"/>
        <source>URL:</source>
        <translation>URL :</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="34"/>
        <source>E-mail to:</source>
        <translation>E-mail à :</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="37"/>
        <source>Add channel</source>
        <translation>Ajouter un canal</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="38"/>
        <source>Save changes to the selected channel</source>
        <translation>Enregistrer les modifications du canal sélectionné</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="41"/>
        <source>Channel</source>
        <translation>Canal</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="43"/>
        <source>Remove selected</source>
        <translation>Supprimer la sélection</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="44"/>
        <source>Send test alert</source>
        <translation>Envoyer une alerte de test</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="45"/>
        <source>Raises a test alert that goes through every enabled channel</source>
        <translation>Déclenche une alerte de test qui passe par chaque canal actif</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="89"/>
        <source>Test alert %1 raised; each enabled channel is sent it (see its deliveries in Alerts).</source>
        <translation>Alerte de test %1 déclenchée ; chaque canal actif la reçoit (voir ses envois dans Alertes).</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="108"/>
        <source> (disabled)</source>
        <translation> (désactivé)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="112"/>
        <source>Secrets: %1</source>
        <translation>Secrets : %1</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="129"/>
        <source>Added %1</source>
        <translation>%1 ajouté</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="159"/>
        <source>Saved %1</source>
        <translation>%1 enregistré</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="174"/>
        <source>Removed</source>
        <translation>Supprimé</translation>
    </message>
</context>
<context>
    <name>fg::ConnectPanel</name>
    <message>
        <location filename="../ui/connectpanel.cpp" line="33"/>
        <source>No request has been refused since FlowGuard started.</source>
        <translation>Aucune requête refusée depuis le démarrage de FlowGuard.</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="49"/>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="50"/>
        <source>Copy the snippet to the clipboard</source>
        <translation>Copier l’extrait dans le presse-papiers</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="80"/>
        <source>Ingest inspector: requests refused lately</source>
        <translation>Inspecteur d’ingestion : requêtes refusées récemment</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="85"/>
        <source>Send your services&apos; logs, metrics and traces here: pick how they talk and paste the snippet. A tick shows once the first items of that kind have arrived.</source>
        <translation>Envoyez ici les logs, métriques et traces de vos services : choisissez leur protocole et collez l’extrait. Une coche apparaît dès que les premiers éléments de ce type sont arrivés.</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="161"/>
        <source>This listener requires a token: create one in Settings → API tokens and set FLOWGUARD_TOKEN.</source>
        <translation>Ce listener exige un jeton : créez-en un dans Paramètres → Jetons d’API et définissez FLOWGUARD_TOKEN.</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="176"/>
        <source>Received: %1 items in %2 requests, last %3</source>
        <translation>Reçu : %1 éléments en %2 requêtes, dernier %3</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="178"/>
        <source>Waiting for the first items…</source>
        <translation>En attente des premiers éléments…</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="192"/>
        <source>Items have arrived in this format</source>
        <translation>Des éléments sont arrivés dans ce format</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="192"/>
        <source>Nothing received in this format yet</source>
        <translation>Rien reçu dans ce format pour l’instant</translation>
    </message>
</context>
<context>
    <name>fg::CsvFileWriter</name>
    <message>
        <location filename="../ui/csvfilewriter.cpp" line="14"/>
        <location filename="../ui/csvfilewriter.cpp" line="24"/>
        <location filename="../ui/csvfilewriter.cpp" line="36"/>
        <source>Cannot write %1: %2</source>
        <translation>Impossible d’écrire %1 : %2</translation>
    </message>
</context>
<context>
    <name>fg::DemoController</name>
    <message>
        <location filename="../ui/democontroller.cpp" line="9"/>
        <location filename="../ui/democontroller.cpp" line="65"/>
        <source>Start &amp;demo traffic</source>
        <translation>Démarrer le trafic de &amp;démo</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="9"/>
        <source>C&amp;lear demo data</source>
        <translation>&amp;Effacer les données de démo</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="15"/>
        <source>Simulated services (demo-…) with a daily cycle and an incident every few minutes</source>
        <translation>Services simulés (demo-…) avec un cycle quotidien et un incident toutes les quelques minutes</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="16"/>
        <source>Remove the demo services&apos; logs, metrics, alerts and incidents; other data stays</source>
        <translation>Supprimer les logs, métriques, alertes et incidents des services de démo ; les autres données restent</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="65"/>
        <source>Stop &amp;demo traffic</source>
        <translation>Arrêter le trafic de &amp;démo</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="79"/>
        <source>Demo data not cleared: %1</source>
        <translation>Données de démo non effacées : %1</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="80"/>
        <source>Demo data cleared: %1 log events, %2 alerts</source>
        <translation>Données de démo effacées : %1 événements de log, %2 alertes</translation>
    </message>
</context>
<context>
    <name>fg::DesktopSession</name>
    <message>
        <location filename="../ui/desktopsession.cpp" line="62"/>
        <source>FlowGuard cannot start</source>
        <translation>FlowGuard ne peut pas démarrer</translation>
    </message>
</context>
<context>
    <name>fg::DetectionSettingsPage</name>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="33"/>
        <source>Low: only large, clear degradations</source>
        <translation>Basse : seulement les dégradations nettes et importantes</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="34"/>
        <source>Normal</source>
        <translation>Normale</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="35"/>
        <source>High: early, smaller drifts too</source>
        <translation>Haute : tôt, y compris les petites dérives</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="38"/>
        <source>Sensitivity:</source>
        <translation>Sensibilité :</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="39"/>
        <source>Alert after a degradation lasts:</source>
        <translation>Alerter quand une dégradation dure :</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="40"/>
        <source>Resolve after it is gone for:</source>
        <translation>Résoudre quand elle a disparu depuis :</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="41"/>
        <source>Learn baselines for:</source>
        <translation>Apprendre les références pendant :</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="43"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="43"/>
        <source>p95 latency SLO (ms)</source>
        <translation>SLO latence p95 (ms)</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="43"/>
        <source>Error rate SLO (%)</source>
        <translation>SLO taux d’erreur (%)</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="46"/>
        <source>Add SLO</source>
        <translation>Ajouter un SLO</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="47"/>
        <source>Remove selected</source>
        <translation>Supprimer la sélection</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="48"/>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="55"/>
        <source>Per-service objectives: a service beyond its SLO counts as degraded whatever its baseline. Empty cells mean no objective.</source>
        <translation>Objectifs par service : un service au-delà de son SLO est considéré dégradé quelle que soit sa référence. Une cellule vide signifie aucun objectif.</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="142"/>
        <source>Not saved: %1</source>
        <translation>Non enregistré : %1</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="144"/>
        <source>Saved; detection uses these settings from now on.</source>
        <translation>Enregistré ; la détection utilise ces réglages dès maintenant.</translation>
    </message>
</context>
<context>
    <name>fg::EndpointsModel</name>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="48"/>
        <source>%1 ms (baseline %2)</source>
        <translation>%1 ms (référence %2)</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="49"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="50"/>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="74"/>
        <source>Endpoint</source>
        <translation>Endpoint</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="75"/>
        <source>Health</source>
        <translation>Santé</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="76"/>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="77"/>
        <source>p95 latency</source>
        <translation>Latence p95</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="78"/>
        <source>Errors</source>
        <translation>Erreurs</translation>
    </message>
</context>
<context>
    <name>fg::EvidenceChart</name>
    <message>
        <location filename="../ui/evidencechart.cpp" line="49"/>
        <source>Baseline</source>
        <translation>Référence</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="54"/>
        <source>Fired</source>
        <translation>Déclenchée</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="154"/>
        <source>Error rate (%)</source>
        <translation>Taux d’erreur (%)</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="155"/>
        <source>Throughput (req/s)</source>
        <translation>Débit (req/s)</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="156"/>
        <source>p95 latency (ms)</source>
        <translation>Latence p95 (ms)</translation>
    </message>
</context>
<context>
    <name>fg::GeneralSettingsPage</name>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="27"/>
        <source>ADDR:PORT. Any address but loopback needs an API token (see API tokens).</source>
        <translation>ADRESSE:PORT. Toute adresse autre que loopback exige un jeton d’API (voir Jetons d’API).</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="29"/>
        <source>How long raw logs and metric points are kept: 12h, 7d, 30d… or off to keep all.</source>
        <translation>Durée de conservation des logs bruts et des points de métriques : 12h, 7d, 30d… ou off pour tout garder.</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="32"/>
        <source>Listener address:</source>
        <translation>Adresse du listener :</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="33"/>
        <source>Keep raw data for:</source>
        <translation>Conserver les données brutes :</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="34"/>
        <source>These take effect when FlowGuard restarts. A command-line flag or a FLOWGUARD_… environment variable wins over what is saved here.</source>
        <translation>Ces réglages prennent effet au redémarrage de FlowGuard. Une option de ligne de commande ou une variable d’environnement FLOWGUARD_… l’emporte sur ce qui est enregistré ici.</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="40"/>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="68"/>
        <source>Running now: listening on %1, keeping raw data %2.</source>
        <translation>Actuellement : écoute sur %1, données brutes conservées %2.</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="70"/>
        <source>for %1</source>
        <translation>pendant %1</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="70"/>
        <source>forever</source>
        <translation>sans limite</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="87"/>
        <source>Not saved: %1</source>
        <translation>Non enregistré : %1</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="98"/>
        <source>Saved. Restart FlowGuard to use them.</source>
        <translation>Enregistré. Redémarrez FlowGuard pour les appliquer.</translation>
    </message>
</context>
<context>
    <name>fg::IncidentsModel</name>
    <message numerus="yes">
        <location filename="../ui/incidentsmodel.cpp" line="242"/>
        <source>%n to acknowledge</source>
        <translation>
            <numerusform>%n à prendre en charge</numerusform>
            <numerusform>%n à prendre en charge</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="263"/>
        <source>#%1 %2</source>
        <translation>#%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="264"/>
        <source>, silenced</source>
        <translation>, en silence</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="277"/>
        <source>Severity</source>
        <translation>Gravité</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="278"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="279"/>
        <source>Incident</source>
        <translation>Incident</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="280"/>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="281"/>
        <source>Opened</source>
        <translation>Ouvert</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="282"/>
        <source>Last activity</source>
        <translation>Dernière activité</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="283"/>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="284"/>
        <source>Alerts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="285"/>
        <source>Acknowledged</source>
        <translation>Pris en charge</translation>
    </message>
</context>
<context>
    <name>fg::IncidentsView</name>
    <message>
        <location filename="../ui/incidentsview.cpp" line="39"/>
        <source>Acknowledge…</source>
        <translation>Prendre en charge…</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="40"/>
        <source>Silence…</source>
        <translation>Mettre en silence…</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="42"/>
        <source>Open</source>
        <translation>Ouverts</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="43"/>
        <source>All</source>
        <translation>Tous</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="44"/>
        <source>Closed</source>
        <translation>Clos</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="45"/>
        <source>Acknowledge every open alert of the selected incidents</source>
        <translation>Prendre en charge chaque alerte ouverte des incidents sélectionnés</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="46"/>
        <source>Silence the selected incidents&apos; services for a while</source>
        <translation>Mettre en silence les services des incidents sélectionnés pour un temps</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="48"/>
        <source>Show:</source>
        <translation>Afficher :</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="187"/>
        <source>%n incident(s)</source>
        <translation>
            <numerusform>%n incident</numerusform>
            <numerusform>%n incidents</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="215"/>
        <source>#%1 %2 — %3 (%n open alert(s))</source>
        <translation>
            <numerusform>#%1 %2 — %3 (%n alerte ouverte)</numerusform>
            <numerusform>#%1 %2 — %3 (%n alertes ouvertes)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="218"/>
        <source>and %n more incident(s)</source>
        <translation>
            <numerusform>et %n autre incident</numerusform>
            <numerusform>et %n autres incidents</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="221"/>
        <source>Acknowledge %n incident(s)</source>
        <translation>
            <numerusform>Prendre en charge %n incident</numerusform>
            <numerusform>Prendre en charge %n incidents</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="239"/>
        <source>Nothing to acknowledge: every open alert of the selection already is</source>
        <translation>Rien à prendre en charge : chaque alerte ouverte de la sélection l’est déjà</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="255"/>
        <source>Acknowledged %n alert(s)</source>
        <translation>
            <numerusform>%n alerte prise en charge</numerusform>
            <numerusform>%n alertes prises en charge</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="302"/>
        <source>Silenced %n service(s)</source>
        <translation>
            <numerusform>%n service mis en silence</numerusform>
            <numerusform>%n services mis en silence</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::LogsModel</name>
    <message>
        <location filename="../ui/logsmodel.cpp" line="184"/>
        <source>Request: %1 %2</source>
        <translation>Requête : %1 %2</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="186"/>
        <source>Status: %1</source>
        <translation>Statut : %1</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="188"/>
        <source>Latency: %1 ms</source>
        <translation>Latence : %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="190"/>
        <source>Trace: %1</source>
        <translation>Trace : %1</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="202"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="203"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="204"/>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="205"/>
        <source>Message</source>
        <translation>Message</translation>
    </message>
</context>
<context>
    <name>fg::LogsView</name>
    <message>
        <location filename="../ui/logsview.cpp" line="27"/>
        <source>Last 15 min</source>
        <translation>15 dernières min</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="28"/>
        <source>Last hour</source>
        <translation>Dernière heure</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="29"/>
        <source>Last 24 hours</source>
        <translation>Dernières 24 heures</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="30"/>
        <source>Last 7 days</source>
        <translation>7 derniers jours</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="31"/>
        <source>Everything</source>
        <translation>Tout</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="36"/>
        <source>Follow</source>
        <translation>Suivre</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="48"/>
        <source>All services</source>
        <translation>Tous les services</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="50"/>
        <source>Any level</source>
        <translation>Tout niveau</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="52"/>
        <source>%1 and above</source>
        <translation>%1 et plus</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="53"/>
        <source>Text in the message…</source>
        <translation>Texte dans le message…</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="58"/>
        <source>Show new events on top as they arrive</source>
        <translation>Afficher les nouveaux événements en haut dès leur arrivée</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="59"/>
        <source>Search</source>
        <translation>Rechercher</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="171"/>
        <source>Searching…</source>
        <translation>Recherche…</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="201"/>
        <source>Trace: %1 — show its other events</source>
        <translation>Trace : %1 — afficher ses autres événements</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="219"/>
        <source>No stored events match.</source>
        <translation>Aucun événement stocké ne correspond.</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="221"/>
        <source>%1 events shown, newest first; scroll down for older ones</source>
        <translation>%1 événements affichés, les plus récents d’abord ; faites défiler pour les plus anciens</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="223"/>
        <source>%1 events, newest first</source>
        <translation>%1 événements, les plus récents d’abord</translation>
    </message>
</context>
<context>
    <name>fg::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="48"/>
        <location filename="../ui/mainwindow.cpp" line="344"/>
        <source>FlowGuard</source>
        <translation>FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="51"/>
        <source>Services</source>
        <translation>Services</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="52"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="53"/>
        <source>Logs</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="56"/>
        <source>Incidents</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="57"/>
        <source>Alert history</source>
        <translation>Historique des alertes</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="58"/>
        <source>Alerts</source>
        <translation>Alertes</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="59"/>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="60"/>
        <source>Connect</source>
        <translation>Connecter</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="87"/>
        <location filename="../ui/mainwindow.cpp" line="226"/>
        <source>&amp;Mute notifications for 1 h</source>
        <translation>&amp;Couper les notifications pendant 1 h</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="95"/>
        <source>The listener your services send their logs and metrics to</source>
        <translation>Le listener auquel vos services envoient leurs logs et métriques</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="98"/>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="108"/>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="109"/>
        <location filename="../ui/mainwindow.cpp" line="202"/>
        <location filename="../ui/mainwindow.cpp" line="308"/>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="110"/>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="116"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="117"/>
        <source>&amp;Find…</source>
        <translation>&amp;Rechercher…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="118"/>
        <source>&amp;Settings</source>
        <translation>&amp;Paramètres</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="120"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="121"/>
        <source>Notification &amp;channels…</source>
        <translation>&amp;Canaux de notification…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="123"/>
        <source>&amp;Help</source>
        <translation>&amp;Aide</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="124"/>
        <source>&amp;Connect a client…</source>
        <translation>&amp;Connecter un client…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="125"/>
        <source>&amp;About FlowGuard</source>
        <translation>À &amp;propos de FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="142"/>
        <source>About FlowGuard</source>
        <translation>À propos de FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="143"/>
        <source>&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Local ingest, storage and early degradation alerts for service logs and metrics.&lt;/p&gt;&lt;p&gt;Listening on %2&lt;br&gt;Database: %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Ingestion et stockage locaux, et alertes précoces de dégradation pour les logs et métriques de services.&lt;/p&gt;&lt;p&gt;Écoute sur %2&lt;br&gt;Base de données : %3&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="157"/>
        <source>Starting: opening the database and restoring alerts…</source>
        <translation>Démarrage : ouverture de la base et restauration des alertes…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="162"/>
        <source>FlowGuard could not start: %1</source>
        <translation>FlowGuard n’a pas pu démarrer : %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="169"/>
        <location filename="../ui/mainwindow.cpp" line="404"/>
        <source>Ready</source>
        <translation>Prêt</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="181"/>
        <source>&amp;Demo</source>
        <translation>&amp;Démo</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="199"/>
        <source>&amp;Open FlowGuard</source>
        <translation>&amp;Ouvrir FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="225"/>
        <source>Notifications muted until %1 (click to unmute)</source>
        <translation>Notifications coupées jusqu’à %1 (cliquer pour réactiver)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="227"/>
        <source>Notifications muted until %1</source>
        <translation>Notifications coupées jusqu’à %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="292"/>
        <source>FlowGuard keeps monitoring</source>
        <translation>FlowGuard continue la surveillance</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="293"/>
        <source>FlowGuard is still receiving events and will notify you of alerts. Open it from the tray icon; quit it from the tray menu or with Ctrl+Q.</source>
        <translation>FlowGuard reçoit toujours des événements et vous notifiera des alertes. Ouvrez-le depuis l’icône de la zone de notification ; quittez-le depuis son menu ou avec Ctrl+Q.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="304"/>
        <source>Quit FlowGuard?</source>
        <translation>Quitter FlowGuard ?</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="305"/>
        <source>Closing the window stops FlowGuard: services can no longer send events to it and no alerts will be raised.</source>
        <translation>Fermer la fenêtre arrête FlowGuard : les services ne pourront plus lui envoyer d’événements et aucune alerte ne sera levée.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="344"/>
        <source>FlowGuard — %n firing alert(s)</source>
        <translation>
            <numerusform>FlowGuard — %n alerte active</numerusform>
            <numerusform>FlowGuard — %n alertes actives</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="398"/>
        <source>%1 items/s</source>
        <translation>%1 éléments/s</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="399"/>
        <source>Accepted items per second over the last 10 seconds</source>
        <translation>Éléments acceptés par seconde sur les 10 dernières secondes</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="400"/>
        <source>%1 logs, %2 metric points</source>
        <translation>%1 logs, %2 points de métriques</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="401"/>
        <source>%1 ingest requests (%2 items rejected)</source>
        <translation>%1 requêtes d’ingestion (%2 éléments rejetés)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="406"/>
        <source>Detectors learning from stored history…</source>
        <translation>Les détecteurs apprennent de l’historique stocké…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="408"/>
        <source>Analysis %1 events behind</source>
        <translation>Analyse en retard de %1 événements</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="410"/>
        <source>Writing (%1 requests queued)</source>
        <translation>Écriture (%1 requêtes en file)</translation>
    </message>
</context>
<context>
    <name>fg::PatternsModel</name>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="44"/>
        <source>NEW  %1</source>
        <translation>NOUVEAU  %1</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="53"/>
        <source>Example: %1</source>
        <translation>Exemple : %1</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="54"/>
        <source>%1 in the range, %2 in all</source>
        <translation>%1 sur la période, %2 au total</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="76"/>
        <source>Error pattern</source>
        <translation>Motif d’erreur</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="77"/>
        <source>Count</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="78"/>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="79"/>
        <source>First seen</source>
        <translation>Vu la première fois</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="80"/>
        <source>Last seen</source>
        <translation>Vu la dernière fois</translation>
    </message>
</context>
<context>
    <name>fg::RejectionsModel</name>
    <message numerus="yes">
        <location filename="../ui/rejectionsmodel.cpp" line="44"/>
        <source>%1, %n item(s) refused</source>
        <translation>
            <numerusform>%1, %n élément refusé</numerusform>
            <numerusform>%1, %n éléments refusés</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="47"/>
        <source>this window</source>
        <translation>cette fenêtre</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="58"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="59"/>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="60"/>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="61"/>
        <source>Reason</source>
        <translation>Raison</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="62"/>
        <source>Field</source>
        <translation>Champ</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="63"/>
        <source>From</source>
        <translation>Origine</translation>
    </message>
</context>
<context>
    <name>fg::RulesView</name>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>On</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Condition</source>
        <translation>Condition</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Window</source>
        <translation>Fenêtre</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Channels</source>
        <translation>Canaux</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="27"/>
        <source>error_rate &gt; 5% and p95_latency_ms &gt; 800</source>
        <translation>error_rate &gt; 5% and p95_latency_ms &gt; 800</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="28"/>
        <source>empty: every channel</source>
        <translation>vide : tous les canaux</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="31"/>
        <source>Name:</source>
        <translation>Nom :</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="32"/>
        <source>Condition:</source>
        <translation>Condition :</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="33"/>
        <source>Window:</source>
        <translation>Fenêtre :</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="34"/>
        <source>For:</source>
        <translation>Durée :</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="35"/>
        <source>Level:</source>
        <translation>Niveau :</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="36"/>
        <source>Service:</source>
        <translation>Service :</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="37"/>
        <source>Channels:</source>
        <translation>Canaux :</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="38"/>
        <location filename="../ui/rulesview.cpp" line="113"/>
        <source>Add rule</source>
        <translation>Ajouter une règle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="41"/>
        <source>New rule</source>
        <translation>Nouvelle règle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="43"/>
        <source>Delete selected rule</source>
        <translation>Supprimer la règle sélectionnée</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="102"/>
        <source>Save rule</source>
        <translation>Enregistrer la règle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="111"/>
        <source>Saved rule %1</source>
        <translation>Règle %1 enregistrée</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="143"/>
        <source>(built-in: %1)</source>
        <translation>(intégrée : %1)</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="151"/>
        <source>all</source>
        <translation>tous</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="164"/>
        <source>Added rule %1</source>
        <translation>Règle %1 ajoutée</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="176"/>
        <source>Deleted</source>
        <translation>Supprimée</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="185"/>
        <source>Saved</source>
        <translation>Enregistré</translation>
    </message>
</context>
<context>
    <name>fg::ServiceView</name>
    <message>
        <location filename="../ui/serviceview.cpp" line="36"/>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="37"/>
        <source>1 hour</source>
        <translation>1 heure</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="38"/>
        <source>6 hours</source>
        <translation>6 heures</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="39"/>
        <source>24 hours</source>
        <translation>24 heures</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="40"/>
        <source>7 days</source>
        <translation>7 jours</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>Latency</source>
        <translation>Latence</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>Error rate</source>
        <translation>Taux d’erreur</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="157"/>
        <source>Throughput</source>
        <translation>Débit</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="157"/>
        <source>req/s</source>
        <translation>req/s</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="165"/>
        <source>No service chosen</source>
        <translation>Aucun service choisi</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="169"/>
        <source>Custom…</source>
        <translation>Personnalisé…</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="171"/>
        <source>Time range of the timelines. Wheel over a chart to zoom, drag to pan, double click to reset.</source>
        <translation>Période des courbes. Molette sur un graphique pour zoomer, glisser pour se déplacer, double-clic pour réinitialiser.</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="172"/>
        <source>Whole service</source>
        <translation>Service entier</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="173"/>
        <source>Back to the timelines of the whole service</source>
        <translation>Revenir aux courbes du service entier</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="182"/>
        <source>Logs</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="183"/>
        <source>This service&apos;s stored logs</source>
        <translation>Les logs stockés de ce service</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="190"/>
        <source>Range:</source>
        <translation>Période :</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="207"/>
        <source>Double click an endpoint for its own timelines</source>
        <translation>Double-cliquez sur un endpoint pour ses propres courbes</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="146"/>
        <source>Alert #%1 (%2): %3</source>
        <translation>Alerte #%1 (%2) : %3</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="396"/>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="396"/>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="404"/>
        <source>error rate</source>
        <translation>taux d’erreur</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="409"/>
        <source>throughput</source>
        <translation>débit</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="435"/>
        <source>p95 %1 ms</source>
        <translation>p95 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="437"/>
        <source> (baseline %1 ms)</source>
        <translation> (référence %1 ms)</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="440"/>
        <source>errors %1 %</source>
        <translation>erreurs %1 %</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/serviceview.cpp" line="443"/>
        <source>%n open degradation(s)</source>
        <translation>
            <numerusform>%n dégradation ouverte</numerusform>
            <numerusform>%n dégradations ouvertes</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::ServicesModel</name>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="78"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="81"/>
        <source>%1 (baseline %2)</source>
        <translation>%1 (référence %2)</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="83"/>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="85"/>
        <source>%1/s</source>
        <translation>%1/s</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="114"/>
        <source>p95 latency per minute over the last hour (events per second for services without requests)</source>
        <translation>Latence p95 par minute sur la dernière heure (événements par seconde pour les services sans requêtes)</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="118"/>
        <source>Health %1 of 100: %2</source>
        <translation>Santé %1 sur 100 : %2</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="138"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="139"/>
        <source>Health</source>
        <translation>Santé</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="140"/>
        <source>State</source>
        <translation>État</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="141"/>
        <source>p95 latency</source>
        <translation>Latence p95</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="142"/>
        <source>Errors</source>
        <translation>Erreurs</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="143"/>
        <source>Throughput</source>
        <translation>Débit</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="144"/>
        <source>Open alerts</source>
        <translation>Alertes ouvertes</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="145"/>
        <source>Last seen</source>
        <translation>Vu la dernière fois</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="146"/>
        <source>Last hour</source>
        <translation>Dernière heure</translation>
    </message>
</context>
<context>
    <name>fg::ServicesOverview</name>
    <message>
        <location filename="../ui/servicesoverview.cpp" line="69"/>
        <source>Filter services…</source>
        <translation>Filtrer les services…</translation>
    </message>
    <message>
        <location filename="../ui/servicesoverview.cpp" line="117"/>
        <source>&lt;h3&gt;No service has sent anything yet&lt;/h3&gt;&lt;p&gt;Point your services&apos; logs at FlowGuard&apos;s listener. To try it, send a first event:&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Every service that sends logs or metrics shows up here within a few seconds, with its health, latency, errors and throughput.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Aucun service n’a encore rien envoyé&lt;/h3&gt;&lt;p&gt;Dirigez les logs de vos services vers le listener de FlowGuard. Pour essayer, envoyez un premier événement :&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Chaque service qui envoie des logs ou des métriques apparaît ici en quelques secondes, avec sa santé, sa latence, ses erreurs et son débit.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/servicesoverview.cpp" line="233"/>
        <source>%n service(s)</source>
        <translation>
            <numerusform>%n service</numerusform>
            <numerusform>%n services</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/servicesoverview.cpp" line="234"/>
        <source>%n service(s): %1</source>
        <translation>
            <numerusform>%n service : %1</numerusform>
            <numerusform>%n services : %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::SettingsView</name>
    <message>
        <location filename="../ui/settingsview.cpp" line="22"/>
        <source>General</source>
        <translation>Général</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="23"/>
        <source>Detection</source>
        <translation>Détection</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="24"/>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="25"/>
        <source>Alert rules</source>
        <translation>Règles d’alerte</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="27"/>
        <source>Channels</source>
        <translation>Canaux</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="28"/>
        <source>API tokens</source>
        <translation>Jetons d’API</translation>
    </message>
</context>
<context>
    <name>fg::SilenceDialog</name>
    <message>
        <location filename="../ui/silencedialog.cpp" line="15"/>
        <source>Silence incidents</source>
        <translation>Mettre des incidents en silence</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="16"/>
        <source>&lt;b&gt;Silence every alert of %1&lt;/b&gt;</source>
        <translation>&lt;b&gt;Mettre en silence chaque alerte de %1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="19"/>
        <source>30 minutes</source>
        <translation>30 minutes</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="19"/>
        <source>1 hour</source>
        <translation>1 heure</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="20"/>
        <source>2 hours</source>
        <translation>2 heures</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="20"/>
        <source>4 hours</source>
        <translation>4 heures</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="21"/>
        <source>8 hours</source>
        <translation>8 heures</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="21"/>
        <source>1 day</source>
        <translation>1 jour</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="24"/>
        <source>Who silences them</source>
        <translation>Qui les met en silence</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="25"/>
        <source>Optional, e.g. &quot;deploy in progress&quot;</source>
        <translation>Facultatif, p. ex. « déploiement en cours »</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="27"/>
        <source>Silence</source>
        <translation>Silence</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="30"/>
        <source>For:</source>
        <translation>Pendant :</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="31"/>
        <source>Your name:</source>
        <translation>Votre nom :</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="32"/>
        <source>Comment:</source>
        <translation>Commentaire :</translation>
    </message>
</context>
<context>
    <name>fg::StatePalette</name>
    <message>
        <location filename="../ui/statepalette.cpp" line="215"/>
        <source>healthy</source>
        <translation>sain</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="216"/>
        <source>degraded</source>
        <translation>dégradé</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="217"/>
        <source>critical</source>
        <translation>critique</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="218"/>
        <source>silent</source>
        <translation>muet</translation>
    </message>
</context>
<context>
    <name>fg::TagRulesPage</name>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="29"/>
        <source>Tag</source>
        <translation>Tag</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="29"/>
        <source>Words or phrases (comma-separated)</source>
        <translation>Mots ou expressions (séparés par des virgules)</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="29"/>
        <source>From HTTP status</source>
        <translation>À partir du statut HTTP</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="32"/>
        <source>Events whose message contains any of the words (whole words, any case), or whose status is at least the given one, get the tag; tags filter logs and patterns.</source>
        <translation>Les événements dont le message contient l’un des mots (mots entiers, casse indifférente), ou dont le statut atteint au moins celui indiqué, reçoivent le tag ; les tags filtrent logs et motifs.</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="37"/>
        <source>Add rule</source>
        <translation>Ajouter une règle</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="38"/>
        <source>Remove selected</source>
        <translation>Supprimer la sélection</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="39"/>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="92"/>
        <source>Built-in tags, always applied: %1</source>
        <translation>Tags intégrés, toujours appliqués : %1</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="123"/>
        <source>Not saved: %1</source>
        <translation>Non enregistré : %1</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="125"/>
        <source>Saved; new events are tagged with these rules.</source>
        <translation>Enregistré ; les nouveaux événements sont tagués selon ces règles.</translation>
    </message>
</context>
<context>
    <name>fg::TimeText</name>
    <message>
        <location filename="../ui/timetext.cpp" line="13"/>
        <source>never</source>
        <translation>jamais</translation>
    </message>
    <message>
        <location filename="../ui/timetext.cpp" line="16"/>
        <source>just now</source>
        <translation>à l’instant</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="20"/>
        <source>%n s ago</source>
        <translation>
            <numerusform>il y a %n s</numerusform>
            <numerusform>il y a %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="22"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>il y a %n min</numerusform>
            <numerusform>il y a %n min</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="24"/>
        <source>%n h ago</source>
        <translation>
            <numerusform>il y a %n h</numerusform>
            <numerusform>il y a %n h</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="25"/>
        <source>%n d ago</source>
        <translation>
            <numerusform>il y a %n j</numerusform>
            <numerusform>il y a %n j</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/timetext.cpp" line="40"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../ui/timetext.cpp" line="42"/>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../ui/timetext.cpp" line="44"/>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <location filename="../ui/timetext.cpp" line="45"/>
        <source>%1 d %2 h</source>
        <translation>%1 j %2 h</translation>
    </message>
</context>
<context>
    <name>fg::TimeWindowDialog</name>
    <message>
        <location filename="../ui/timewindowdialog.cpp" line="13"/>
        <source>Time window</source>
        <translation>Période</translation>
    </message>
    <message>
        <location filename="../ui/timewindowdialog.cpp" line="21"/>
        <source>From:</source>
        <translation>Du :</translation>
    </message>
    <message>
        <location filename="../ui/timewindowdialog.cpp" line="22"/>
        <source>To:</source>
        <translation>Au :</translation>
    </message>
</context>
<context>
    <name>fg::TimelineChart</name>
    <message>
        <location filename="../ui/timelinechart.cpp" line="84"/>
        <source>degradation</source>
        <translation>dégradation</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="86"/>
        <source>baseline</source>
        <translation>référence</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="98"/>
        <source>alert</source>
        <translation>alerte</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="281"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="303"/>
        <source>baseline: %1 – %2</source>
        <translation>référence : %1 – %2</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="306"/>
        <source>&lt;i&gt;degradation open&lt;/i&gt;</source>
        <translation>&lt;i&gt;dégradation en cours&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="358"/>
        <source>Click to open the alert</source>
        <translation>Cliquer pour ouvrir l’alerte</translation>
    </message>
</context>
<context>
    <name>fg::TokensPage</name>
    <message>
        <location filename="../ui/tokenspage.cpp" line="31"/>
        <source>Ingest: send logs and metrics</source>
        <translation>Ingestion : envoyer logs et métriques</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="31"/>
        <source>Read: query the API</source>
        <translation>Lecture : interroger l’API</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="32"/>
        <source>Admin: everything, including rules, channels and silences</source>
        <translation>Admin : tout, y compris règles, canaux et silences</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Prefix</source>
        <translation>Préfixe</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Scopes</source>
        <translation>Portées</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Created</source>
        <translation>Créé</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Last used</source>
        <translation>Dernière utilisation</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="42"/>
        <source>Tokens let services and tools on other machines reach this listener (a token is required on any address but loopback). Each is shown only once, when created.</source>
        <translation>Les jetons permettent aux services et outils d’autres machines d’atteindre ce listener (un jeton est exigé sur toute adresse autre que loopback). Chacun n’est affiché qu’une fois, à sa création.</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="45"/>
        <source>collectors</source>
        <translation>collecteurs</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="49"/>
        <source>The new token appears here, once</source>
        <translation>Le nouveau jeton apparaît ici, une seule fois</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="50"/>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="54"/>
        <source>Create token</source>
        <translation>Créer un jeton</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="56"/>
        <source>Name:</source>
        <translation>Nom :</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="57"/>
        <source>Scopes:</source>
        <translation>Portées :</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="61"/>
        <source>New token:</source>
        <translation>Nouveau jeton :</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="62"/>
        <source>New token</source>
        <translation>Nouveau jeton</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="64"/>
        <source>Revoke selected</source>
        <translation>Révoquer la sélection</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="111"/>
        <source>FlowGuard is not running yet</source>
        <translation>FlowGuard n’est pas encore démarré</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="113"/>
        <source>Choose at least one scope</source>
        <translation>Choisissez au moins une portée</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="115"/>
        <source>Name: %1</source>
        <translation>Nom : %1</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="160"/>
        <source>Created. Copy the token now: it is not shown again.</source>
        <translation>Créé. Copiez le jeton maintenant : il ne sera plus affiché.</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="177"/>
        <source>never</source>
        <translation>jamais</translation>
    </message>
</context>
<context>
    <name>fg::TraceDialog</name>
    <message>
        <location filename="../ui/tracedialog.cpp" line="21"/>
        <source>Loading…</source>
        <translation>Chargement…</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="23"/>
        <source>Trace %1</source>
        <translation>Trace %1</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Service</source>
        <translation>Service</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Level</source>
        <translation>Niveau</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Span or message</source>
        <translation>Span ou message</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="61"/>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/tracedialog.cpp" line="77"/>
        <source>%n span(s)</source>
        <translation>
            <numerusform>%n span</numerusform>
            <numerusform>%n spans</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/tracedialog.cpp" line="78"/>
        <source>%n log event(s)</source>
        <translation>
            <numerusform>%n événement de log</numerusform>
            <numerusform>%n événements de log</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="80"/>
        <source>(the newest %1 events only)</source>
        <translation>(seulement les %1 événements les plus récents)</translation>
    </message>
</context>
<context>
    <name>fg::TrayNotifier</name>
    <message>
        <location filename="../ui/traynotifier.cpp" line="29"/>
        <source>FlowGuard</source>
        <translation>FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/traynotifier.cpp" line="81"/>
        <source>Open</source>
        <translation>Ouvrir</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/traynotifier.cpp" line="116"/>
        <source>FlowGuard: %n more alert(s)</source>
        <translation>
            <numerusform>FlowGuard : %n alerte de plus</numerusform>
            <numerusform>FlowGuard : %n alertes de plus</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/traynotifier.cpp" line="117"/>
        <source>In %1. Open FlowGuard to see the incidents.</source>
        <translation>Dans %1. Ouvrez FlowGuard pour voir les incidents.</translation>
    </message>
</context>
</TS>
