<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ClientFormats</name>
    <message>
        <location filename="../ui/clientformats.cpp" line="17"/>
        <source>JSON logs (FlowGuard&apos;s own API)</source>
        <translation>JSON-Logs (FlowGuards eigene API)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="18"/>
        <source>A JSON array, one object or NDJSON; service is required, the other fields are optional.</source>
        <translation>Ein JSON-Array, ein Objekt oder NDJSON; service ist Pflicht, die übrigen Felder sind optional.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="22"/>
        <source>JSON metrics (FlowGuard&apos;s own API)</source>
        <translation>JSON-Metriken (FlowGuards eigene API)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="23"/>
        <source>Named samples with tags, or a KPI snapshot whose numeric fields each become a sample.</source>
        <translation>Benannte Messwerte mit Tags oder ein KPI-Schnappschuss, dessen Zahlenfelder je ein Messwert werden.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="27"/>
        <source>OpenTelemetry SDK (OTLP/HTTP JSON)</source>
        <translation>OpenTelemetry-SDK (OTLP/HTTP JSON)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="28"/>
        <source>Set these in the environment of a service instrumented with an OpenTelemetry SDK: its logs, metrics and traces come here. FlowGuard speaks OTLP/HTTP with JSON bodies, not protobuf.</source>
        <translation>Setzen Sie diese Variablen in der Umgebung eines Dienstes mit OpenTelemetry-SDK: seine Logs, Metriken und Traces kommen dann hierher. FlowGuard spricht OTLP/HTTP mit JSON-Inhalten, nicht Protobuf.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="33"/>
        <source>OTLP/HTTP JSON with curl</source>
        <translation>OTLP/HTTP JSON mit curl</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="34"/>
        <source>One OTLP log record, as an SDK or collector would send it.</source>
        <translation>Ein OTLP-Logeintrag, wie ihn ein SDK oder Collector senden würde.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="40"/>
        <source>Loki push (Promtail, Grafana Alloy, Fluent Bit)</source>
        <translation>Loki-Push (Promtail, Grafana Alloy, Fluent Bit)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="41"/>
        <source>Point a Loki client&apos;s push URL here (JSON or its default snappy protobuf); the service comes from the service_name, service, app or job label.</source>
        <translation>Richten Sie die Push-URL eines Loki-Clients hierher (JSON oder sein Standard, snappy-Protobuf); der Dienst kommt aus dem Label service_name, service, app oder job.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="46"/>
        <source>Elasticsearch _bulk (Fluent Bit, Vector, Filebeat)</source>
        <translation>Elasticsearch _bulk (Fluent Bit, Vector, Filebeat)</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="47"/>
        <source>Point a shipper&apos;s Elasticsearch output here; the index names the service unless a document has one.</source>
        <translation>Richten Sie die Elasticsearch-Ausgabe eines Log-Shippers hierher; der Index benennt den Dienst, sofern ein Dokument keinen nennt.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="52"/>
        <source>Signal API with idempotent ids</source>
        <translation>Signal-API mit idempotenten IDs</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="53"/>
        <source>Logs with a signal_id (a UUID): sending the same one twice stores it once, so retries are safe.</source>
        <translation>Logs mit einer signal_id (einer UUID): zweimal gesendet, wird sie einmal gespeichert, Wiederholungen sind also sicher.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="58"/>
        <source>Application events</source>
        <translation>Anwendungsereignisse</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="59"/>
        <source>Typed events with a source, severity (low to critical) and data; read back by id at /events/{id}.</source>
        <translation>Typisierte Ereignisse mit Quelle, Schweregrad (low bis critical) und Daten; unter /events/{id} nach ID abrufbar.</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="64"/>
        <source>Plain log lines</source>
        <translation>Einfache Logzeilen</translation>
    </message>
    <message>
        <location filename="../ui/clientformats.cpp" line="65"/>
        <source>Any text, one event a line; levels and request fields are inferred from each line.</source>
        <translation>Beliebiger Text, ein Ereignis pro Zeile; Stufen und Anfragefelder werden aus jeder Zeile erschlossen.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>FlowGuard cannot start</source>
        <translation type="vanished">FlowGuard kann nicht starten</translation>
    </message>
</context>
<context>
    <name>fg::AcknowledgeDialog</name>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="16"/>
        <source>Acknowledge alert</source>
        <translation>Alarm bestätigen</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="28"/>
        <source>Who takes care of it</source>
        <translation>Wer sich darum kümmert</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="29"/>
        <source>Optional, e.g. &quot;rolling back the deploy&quot;</source>
        <translation>Optional, z. B. „Deployment wird zurückgerollt“</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="31"/>
        <source>Acknowledge</source>
        <translation>Bestätigen</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="34"/>
        <source>Your name:</source>
        <translation>Ihr Name:</translation>
    </message>
    <message>
        <location filename="../ui/acknowledgedialog.cpp" line="35"/>
        <source>Note:</source>
        <translation>Notiz:</translation>
    </message>
</context>
<context>
    <name>fg::AlertCsvExport</name>
    <message>
        <location filename="../ui/alertcsvexport.cpp" line="48"/>
        <source>Export cancelled</source>
        <translation>Export abgebrochen</translation>
    </message>
</context>
<context>
    <name>fg::AlertFilterBar</name>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="26"/>
        <source>Open</source>
        <translation>Offen</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="27"/>
        <source>All states</source>
        <translation>Alle Zustände</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="28"/>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="29"/>
        <source>Firing</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="30"/>
        <source>Resolved</source>
        <translation>Behoben</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="34"/>
        <source>All services</source>
        <translation>Alle Dienste</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="36"/>
        <source>Any level</source>
        <translation>Jede Stufe</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="37"/>
        <source>Warning and above</source>
        <translation>Warnung und höher</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="38"/>
        <source>Error and above</source>
        <translation>Fehler und höher</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="39"/>
        <source>Critical</source>
        <translation>Kritisch</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="40"/>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="41"/>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="42"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="43"/>
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="44"/>
        <source>Everything</source>
        <translation>Alles</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="45"/>
        <source>Custom…</source>
        <translation>Benutzerdefiniert…</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="48"/>
        <source>Search service, reason, explanation</source>
        <translation>Dienst, Grund, Erklärung durchsuchen</translation>
    </message>
    <message>
        <location filename="../ui/alertfilterbar.cpp" line="54"/>
        <source>Show:</source>
        <translation>Anzeigen:</translation>
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
        <translation>Alarme pro Stunde</translation>
    </message>
    <message>
        <location filename="../ui/alerthistorychart.cpp" line="129"/>
        <source>Alerts per day</source>
        <translation>Alarme pro Tag</translation>
    </message>
</context>
<context>
    <name>fg::AlertText</name>
    <message>
        <location filename="../ui/alerttext.cpp" line="10"/>
        <source>info</source>
        <translation>Info</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="12"/>
        <source>warning</source>
        <translation>Warnung</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="14"/>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="16"/>
        <source>critical</source>
        <translation>kritisch</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="23"/>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="25"/>
        <source>firing</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="27"/>
        <source>resolved</source>
        <translation>behoben</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="34"/>
        <source>open</source>
        <translation>offen</translation>
    </message>
    <message>
        <location filename="../ui/alerttext.cpp" line="36"/>
        <source>closed</source>
        <translation>geschlossen</translation>
    </message>
</context>
<context>
    <name>fg::AlertsModel</name>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="62"/>
        <source> (test)</source>
        <translation> (Test)</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="64"/>
        <source>, silenced</source>
        <translation>, stummgeschaltet</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="78"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="79"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="80"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="81"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="82"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="83"/>
        <source>Fired</source>
        <translation>Ausgelöst</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="84"/>
        <source>Resolved</source>
        <translation>Behoben</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="85"/>
        <source>Acknowledged by</source>
        <translation>Bestätigt von</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="86"/>
        <source>Notified</source>
        <translation>Benachrichtigt</translation>
    </message>
</context>
<context>
    <name>fg::AlertsView</name>
    <message>
        <location filename="../ui/alertsview.cpp" line="38"/>
        <source>Acknowledge…</source>
        <translation>Bestätigen…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="41"/>
        <source>Send test alert</source>
        <translation>Testalarm senden</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="42"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="43"/>
        <source>Export every alert the filters show</source>
        <translation>Alle Alarme exportieren, die die Filter zeigen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="146"/>
        <source>The newest %n alert(s)</source>
        <translation>
            <numerusform>Der neueste Alarm</numerusform>
            <numerusform>Die neuesten %n Alarme</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="147"/>
        <source>%n alert(s)</source>
        <translation>
            <numerusform>%n Alarm</numerusform>
            <numerusform>%n Alarme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="218"/>
        <source>&lt;p&gt;Acknowledged by %1: %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;Bestätigt von %1: %2&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="221"/>
        <source>&lt;h4&gt;History&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;h4&gt;Verlauf&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="228"/>
        <source>&lt;/ul&gt;&lt;h4&gt;Notifications&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;/ul&gt;&lt;h4&gt;Benachrichtigungen&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="251"/>
        <source>#%1 %2 — %3</source>
        <translation>#%1 %2 — %3</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="273"/>
        <source>Acknowledged</source>
        <translation>Bestätigt</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="286"/>
        <source>Test alert sent to every enabled channel</source>
        <translation>Testalarm an alle aktiven Kanäle gesendet</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="314"/>
        <source>Exporting alerts… %n written</source>
        <translation>
            <numerusform>Alarme werden exportiert… %n geschrieben</numerusform>
            <numerusform>Alarme werden exportiert… %n geschrieben</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="294"/>
        <source>Export alerts</source>
        <translation>Alarme exportieren</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="295"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="307"/>
        <source>Exporting alerts…</source>
        <translation>Alarme werden exportiert…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="307"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="321"/>
        <source>Exported %n alert(s)</source>
        <translation>
            <numerusform>%n Alarm exportiert</numerusform>
            <numerusform>%n Alarme exportiert</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::ChannelsDialog</name>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="19"/>
        <source>Enabled</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="21"/>
        <source>Notification channels</source>
        <translation>Benachrichtigungskanäle</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="22"/>
        <source>Slack incoming webhook</source>
        <translation>Slack Incoming Webhook</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="23"/>
        <source>Webhook (Alertmanager JSON)</source>
        <translation>Webhook (Alertmanager-JSON)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="24"/>
        <source>E-mail (SMTP)</source>
        <translation>E-Mail (SMTP)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="25"/>
        <source>Desktop notifications</source>
        <translation>Desktop-Benachrichtigungen</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="27"/>
        <source>https://hooks.slack.com/services/… or smtps://user:password@host</source>
        <translation>https://hooks.slack.com/services/… oder smtps://benutzer:passwort@host</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="28"/>
        <source>ops@example.org, lead@example.org</source>
        <translation>ops@example.org, lead@example.org</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="31"/>
        <source>Type:</source>
        <translation>Typ:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="32"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="33"/>
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="34"/>
        <source>E-mail to:</source>
        <translation>E-Mail an:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="37"/>
        <source>Add channel</source>
        <translation>Kanal hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="38"/>
        <source>Save changes to the selected channel</source>
        <translation>Änderungen am ausgewählten Kanal speichern</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="41"/>
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="43"/>
        <source>Remove selected</source>
        <translation>Auswahl entfernen</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="44"/>
        <source>Send test alert</source>
        <translation>Testalarm senden</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="45"/>
        <source>Raises a test alert that goes through every enabled channel</source>
        <translation>Löst einen Testalarm aus, der über jeden aktiven Kanal geht</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="89"/>
        <source>Test alert %1 raised; each enabled channel is sent it (see its deliveries in Alerts).</source>
        <translation>Testalarm %1 ausgelöst; jeder aktive Kanal erhält ihn (Zustellungen unter Alarme).</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="108"/>
        <source> (disabled)</source>
        <translation> (deaktiviert)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="112"/>
        <source>Secrets: %1</source>
        <translation>Geheimnisse: %1</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="129"/>
        <source>Added %1</source>
        <translation>%1 hinzugefügt</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="159"/>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="174"/>
        <source>Removed</source>
        <translation>Entfernt</translation>
    </message>
</context>
<context>
    <name>fg::ConnectPanel</name>
    <message>
        <location filename="../ui/connectpanel.cpp" line="33"/>
        <source>No request has been refused since FlowGuard started.</source>
        <translation>Seit dem Start von FlowGuard wurde keine Anfrage abgelehnt.</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="49"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="50"/>
        <source>Copy the snippet to the clipboard</source>
        <translation>Den Ausschnitt in die Zwischenablage kopieren</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="80"/>
        <source>Ingest inspector: requests refused lately</source>
        <translation>Ingest-Inspektor: zuletzt abgelehnte Anfragen</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="85"/>
        <source>Send your services&apos; logs, metrics and traces here: pick how they talk and paste the snippet. A tick shows once the first items of that kind have arrived.</source>
        <translation>Senden Sie die Logs, Metriken und Traces Ihrer Dienste hierher: wählen Sie, wie sie senden, und fügen Sie den Ausschnitt ein. Ein Haken erscheint, sobald die ersten Einträge dieser Art angekommen sind.</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="161"/>
        <source>This listener requires a token: create one in Settings → API tokens and set FLOWGUARD_TOKEN.</source>
        <translation>Dieser Listener verlangt ein Token: legen Sie eines unter Einstellungen → API-Tokens an und setzen Sie FLOWGUARD_TOKEN.</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="176"/>
        <source>Received: %1 items in %2 requests, last %3</source>
        <translation>Empfangen: %1 Einträge in %2 Anfragen, zuletzt %3</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="178"/>
        <source>Waiting for the first items…</source>
        <translation>Warte auf die ersten Einträge…</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="192"/>
        <source>Items have arrived in this format</source>
        <translation>In diesem Format sind Einträge angekommen</translation>
    </message>
    <message>
        <location filename="../ui/connectpanel.cpp" line="192"/>
        <source>Nothing received in this format yet</source>
        <translation>In diesem Format ist noch nichts angekommen</translation>
    </message>
</context>
<context>
    <name>fg::CsvFileWriter</name>
    <message>
        <location filename="../ui/csvfilewriter.cpp" line="14"/>
        <location filename="../ui/csvfilewriter.cpp" line="24"/>
        <location filename="../ui/csvfilewriter.cpp" line="36"/>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>fg::DemoController</name>
    <message>
        <location filename="../ui/democontroller.cpp" line="9"/>
        <location filename="../ui/democontroller.cpp" line="65"/>
        <source>Start &amp;demo traffic</source>
        <translation>&amp;Demo-Verkehr starten</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="9"/>
        <source>C&amp;lear demo data</source>
        <translation>Demo-Daten &amp;löschen</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="15"/>
        <source>Simulated services (demo-…) with a daily cycle and an incident every few minutes</source>
        <translation>Simulierte Dienste (demo-…) mit Tageszyklus und alle paar Minuten einem Vorfall</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="16"/>
        <source>Remove the demo services&apos; logs, metrics, alerts and incidents; other data stays</source>
        <translation>Logs, Metriken, Alarme und Vorfälle der Demo-Dienste entfernen; andere Daten bleiben</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="65"/>
        <source>Stop &amp;demo traffic</source>
        <translation>&amp;Demo-Verkehr anhalten</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="79"/>
        <source>Demo data not cleared: %1</source>
        <translation>Demo-Daten nicht gelöscht: %1</translation>
    </message>
    <message>
        <location filename="../ui/democontroller.cpp" line="80"/>
        <source>Demo data cleared: %1 log events, %2 alerts</source>
        <translation>Demo-Daten gelöscht: %1 Log-Ereignisse, %2 Alarme</translation>
    </message>
</context>
<context>
    <name>fg::DesktopSession</name>
    <message>
        <location filename="../ui/desktopsession.cpp" line="62"/>
        <source>FlowGuard cannot start</source>
        <translation>FlowGuard kann nicht starten</translation>
    </message>
</context>
<context>
    <name>fg::DetectionSettingsPage</name>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="33"/>
        <source>Low: only large, clear degradations</source>
        <translation>Niedrig: nur große, eindeutige Verschlechterungen</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="34"/>
        <source>Normal</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="35"/>
        <source>High: early, smaller drifts too</source>
        <translation>Hoch: früh, auch kleinere Abweichungen</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="38"/>
        <source>Sensitivity:</source>
        <translation>Empfindlichkeit:</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="39"/>
        <source>Alert after a degradation lasts:</source>
        <translation>Alarm, wenn eine Verschlechterung anhält seit:</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="40"/>
        <source>Resolve after it is gone for:</source>
        <translation>Auflösen, wenn sie verschwunden ist seit:</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="41"/>
        <source>Learn baselines for:</source>
        <translation>Baselines lernen während:</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="43"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="43"/>
        <source>p95 latency SLO (ms)</source>
        <translation>SLO p95-Latenz (ms)</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="43"/>
        <source>Error rate SLO (%)</source>
        <translation>SLO Fehlerrate (%)</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="46"/>
        <source>Add SLO</source>
        <translation>SLO hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="47"/>
        <source>Remove selected</source>
        <translation>Auswahl entfernen</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="48"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="55"/>
        <source>Per-service objectives: a service beyond its SLO counts as degraded whatever its baseline. Empty cells mean no objective.</source>
        <translation>Ziele je Dienst: ein Dienst jenseits seines SLO gilt unabhängig von seiner Baseline als beeinträchtigt. Leere Zellen bedeuten kein Ziel.</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="142"/>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <location filename="../ui/detectionsettingspage.cpp" line="144"/>
        <source>Saved; detection uses these settings from now on.</source>
        <translation>Gespeichert; die Erkennung nutzt diese Einstellungen ab sofort.</translation>
    </message>
</context>
<context>
    <name>fg::EndpointsModel</name>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="48"/>
        <source>%1 ms (baseline %2)</source>
        <translation>%1 ms (Basislinie %2)</translation>
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
        <translation>Endpunkt</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="75"/>
        <source>Health</source>
        <translation>Gesundheit</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="76"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="77"/>
        <source>p95 latency</source>
        <translation>p95-Latenz</translation>
    </message>
    <message>
        <location filename="../ui/endpointsmodel.cpp" line="78"/>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
</context>
<context>
    <name>fg::EvidenceChart</name>
    <message>
        <location filename="../ui/evidencechart.cpp" line="49"/>
        <source>Baseline</source>
        <translation>Baseline</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="54"/>
        <source>Fired</source>
        <translation>Ausgelöst</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="154"/>
        <source>Error rate (%)</source>
        <translation>Fehlerrate (%)</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="155"/>
        <source>Throughput (req/s)</source>
        <translation>Durchsatz (Anfr./s)</translation>
    </message>
    <message>
        <location filename="../ui/evidencechart.cpp" line="156"/>
        <source>p95 latency (ms)</source>
        <translation>p95-Latenz (ms)</translation>
    </message>
</context>
<context>
    <name>fg::GeneralSettingsPage</name>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="27"/>
        <source>ADDR:PORT. Any address but loopback needs an API token (see API tokens).</source>
        <translation>ADRESSE:PORT. Jede Adresse außer Loopback braucht ein API-Token (siehe API-Tokens).</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="29"/>
        <source>How long raw logs and metric points are kept: 12h, 7d, 30d… or off to keep all.</source>
        <translation>Wie lange Roh-Logs und Messpunkte aufbewahrt werden: 12h, 7d, 30d… oder off, um alles zu behalten.</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="32"/>
        <source>Listener address:</source>
        <translation>Listener-Adresse:</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="33"/>
        <source>Keep raw data for:</source>
        <translation>Rohdaten aufbewahren für:</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="34"/>
        <source>These take effect when FlowGuard restarts. A command-line flag or a FLOWGUARD_… environment variable wins over what is saved here.</source>
        <translation>Diese Werte gelten nach einem Neustart von FlowGuard. Ein Kommandozeilenschalter oder eine Umgebungsvariable FLOWGUARD_… hat Vorrang vor dem hier Gespeicherten.</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="40"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="68"/>
        <source>Running now: listening on %1, keeping raw data %2.</source>
        <translation>Laufend: lauscht auf %1, bewahrt Rohdaten %2 auf.</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="70"/>
        <source>for %1</source>
        <translation>für %1</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="70"/>
        <source>forever</source>
        <translation>unbegrenzt</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="87"/>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <location filename="../ui/generalsettingspage.cpp" line="98"/>
        <source>Saved. Restart FlowGuard to use them.</source>
        <translation>Gespeichert. Starten Sie FlowGuard neu, um sie zu verwenden.</translation>
    </message>
</context>
<context>
    <name>fg::IncidentsModel</name>
    <message numerus="yes">
        <location filename="../ui/incidentsmodel.cpp" line="242"/>
        <source>%n to acknowledge</source>
        <translation>
            <numerusform>%n zu bestätigen</numerusform>
            <numerusform>%n zu bestätigen</numerusform>
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
        <translation>, stummgeschaltet</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="277"/>
        <source>Severity</source>
        <translation>Schwere</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="278"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="279"/>
        <source>Incident</source>
        <translation>Vorfall</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="280"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="281"/>
        <source>Opened</source>
        <translation>Eröffnet</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="282"/>
        <source>Last activity</source>
        <translation>Letzte Aktivität</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="283"/>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="284"/>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="285"/>
        <source>Acknowledged</source>
        <translation>Bestätigt</translation>
    </message>
</context>
<context>
    <name>fg::IncidentsView</name>
    <message>
        <location filename="../ui/incidentsview.cpp" line="39"/>
        <source>Acknowledge…</source>
        <translation>Bestätigen…</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="40"/>
        <source>Silence…</source>
        <translation>Stummschalten…</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="42"/>
        <source>Open</source>
        <translation>Offen</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="43"/>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="44"/>
        <source>Closed</source>
        <translation>Geschlossen</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="45"/>
        <source>Acknowledge every open alert of the selected incidents</source>
        <translation>Jeden offenen Alarm der ausgewählten Vorfälle bestätigen</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="46"/>
        <source>Silence the selected incidents&apos; services for a while</source>
        <translation>Die Dienste der ausgewählten Vorfälle eine Weile stummschalten</translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="48"/>
        <source>Show:</source>
        <translation>Anzeigen:</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="187"/>
        <source>%n incident(s)</source>
        <translation>
            <numerusform>%n Vorfall</numerusform>
            <numerusform>%n Vorfälle</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="215"/>
        <source>#%1 %2 — %3 (%n open alert(s))</source>
        <translation>
            <numerusform>#%1 %2 — %3 (%n offener Alarm)</numerusform>
            <numerusform>#%1 %2 — %3 (%n offene Alarme)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="218"/>
        <source>and %n more incident(s)</source>
        <translation>
            <numerusform>und %n weiterer Vorfall</numerusform>
            <numerusform>und %n weitere Vorfälle</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="221"/>
        <source>Acknowledge %n incident(s)</source>
        <translation>
            <numerusform>%n Vorfall bestätigen</numerusform>
            <numerusform>%n Vorfälle bestätigen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="239"/>
        <source>Nothing to acknowledge: every open alert of the selection already is</source>
        <translation>Nichts zu bestätigen: jeder offene Alarm der Auswahl ist es schon</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="255"/>
        <source>Acknowledged %n alert(s)</source>
        <translation>
            <numerusform>%n Alarm bestätigt</numerusform>
            <numerusform>%n Alarme bestätigt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="302"/>
        <source>Silenced %n service(s)</source>
        <translation>
            <numerusform>%n Dienst stummgeschaltet</numerusform>
            <numerusform>%n Dienste stummgeschaltet</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::LogsModel</name>
    <message>
        <location filename="../ui/logsmodel.cpp" line="184"/>
        <source>Request: %1 %2</source>
        <translation>Anfrage: %1 %2</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="186"/>
        <source>Status: %1</source>
        <translation>Status: %1</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="188"/>
        <source>Latency: %1 ms</source>
        <translation>Latenz: %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="190"/>
        <source>Trace: %1</source>
        <translation>Trace: %1</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="202"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="203"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="204"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="205"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>fg::LogsView</name>
    <message>
        <location filename="../ui/logsview.cpp" line="27"/>
        <source>Last 15 min</source>
        <translation>Letzte 15 Min.</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="28"/>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="29"/>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="30"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="31"/>
        <source>Everything</source>
        <translation>Alles</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="36"/>
        <source>Follow</source>
        <translation>Mitlaufen</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="48"/>
        <source>All services</source>
        <translation>Alle Dienste</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="50"/>
        <source>Any level</source>
        <translation>Jede Stufe</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="52"/>
        <source>%1 and above</source>
        <translation>%1 und höher</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="53"/>
        <source>Text in the message…</source>
        <translation>Text in der Meldung…</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="58"/>
        <source>Show new events on top as they arrive</source>
        <translation>Neue Ereignisse oben anzeigen, sobald sie eintreffen</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="59"/>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="171"/>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="201"/>
        <source>Trace: %1 — show its other events</source>
        <translation>Trace: %1 — die übrigen Ereignisse anzeigen</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="219"/>
        <source>No stored events match.</source>
        <translation>Keine gespeicherten Ereignisse passen.</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="221"/>
        <source>%1 events shown, newest first; scroll down for older ones</source>
        <translation>%1 Ereignisse angezeigt, neueste zuerst; für ältere nach unten blättern</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="223"/>
        <source>%1 events, newest first</source>
        <translation>%1 Ereignisse, neueste zuerst</translation>
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
        <location filename="../ui/mainwindow.cpp" line="58"/>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation type="vanished">Regeln</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="118"/>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="121"/>
        <source>Notification &amp;channels…</source>
        <translation>Benachrichtigungs&amp;kanäle…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="98"/>
        <source>Starting…</source>
        <translation>Startet…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="51"/>
        <source>Services</source>
        <translation>Dienste</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="52"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="53"/>
        <source>Logs</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="56"/>
        <source>Incidents</source>
        <translation>Vorfälle</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="57"/>
        <source>Alert history</source>
        <translation>Alarmverlauf</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="59"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="60"/>
        <source>Connect</source>
        <translation>Anbinden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="87"/>
        <location filename="../ui/mainwindow.cpp" line="226"/>
        <source>&amp;Mute notifications for 1 h</source>
        <translation>Benachrichtigungen 1 h &amp;stummschalten</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="95"/>
        <source>The listener your services send their logs and metrics to</source>
        <translation>Der Listener, an den Ihre Dienste Logs und Metriken senden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="108"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="109"/>
        <location filename="../ui/mainwindow.cpp" line="202"/>
        <location filename="../ui/mainwindow.cpp" line="308"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="110"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="116"/>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="117"/>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="120"/>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="123"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="124"/>
        <source>&amp;Connect a client…</source>
        <translation>&amp;Client anbinden…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="125"/>
        <source>&amp;About FlowGuard</source>
        <translation>Ü&amp;ber FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="142"/>
        <source>About FlowGuard</source>
        <translation>Über FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="143"/>
        <source>&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Local ingest, storage and early degradation alerts for service logs and metrics.&lt;/p&gt;&lt;p&gt;Listening on %2&lt;br&gt;Database: %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Lokale Annahme, Speicherung und frühe Warnung vor Verschlechterungen für Logs und Metriken von Diensten.&lt;/p&gt;&lt;p&gt;Lauscht auf %2&lt;br&gt;Datenbank: %3&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="157"/>
        <source>Starting: opening the database and restoring alerts…</source>
        <translation>Start: Datenbank wird geöffnet, Alarme werden wiederhergestellt…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="162"/>
        <source>FlowGuard could not start: %1</source>
        <translation>FlowGuard konnte nicht starten: %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="181"/>
        <source>&amp;Demo</source>
        <translation>&amp;Demo</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="199"/>
        <source>&amp;Open FlowGuard</source>
        <translation>FlowGuard &amp;öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="225"/>
        <source>Notifications muted until %1 (click to unmute)</source>
        <translation>Benachrichtigungen stumm bis %1 (klicken zum Aufheben)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="227"/>
        <source>Notifications muted until %1</source>
        <translation>Benachrichtigungen stumm bis %1</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="292"/>
        <source>FlowGuard keeps monitoring</source>
        <translation>FlowGuard überwacht weiter</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="293"/>
        <source>FlowGuard is still receiving events and will notify you of alerts. Open it from the tray icon; quit it from the tray menu or with Ctrl+Q.</source>
        <translation>FlowGuard empfängt weiter Ereignisse und benachrichtigt Sie bei Alarmen. Öffnen Sie es über das Symbol im Infobereich; beenden Sie es über dessen Menü oder mit Strg+Q.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="304"/>
        <source>Quit FlowGuard?</source>
        <translation>FlowGuard beenden?</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="305"/>
        <source>Closing the window stops FlowGuard: services can no longer send events to it and no alerts will be raised.</source>
        <translation>Das Schließen des Fensters beendet FlowGuard: Dienste können keine Ereignisse mehr senden, und es werden keine Alarme ausgelöst.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="344"/>
        <source>FlowGuard — %n firing alert(s)</source>
        <translation>
            <numerusform>FlowGuard — %n aktiver Alarm</numerusform>
            <numerusform>FlowGuard — %n aktive Alarme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="398"/>
        <source>%1 items/s</source>
        <translation>%1 Einträge/s</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="399"/>
        <source>Accepted items per second over the last 10 seconds</source>
        <translation>Angenommene Einträge pro Sekunde in den letzten 10 Sekunden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="400"/>
        <source>%1 logs, %2 metric points</source>
        <translation>%1 Logs, %2 Metrikpunkte</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="401"/>
        <source>%1 ingest requests (%2 items rejected)</source>
        <translation>%1 Ingest-Anfragen (%2 Einträge abgelehnt)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="406"/>
        <source>Detectors learning from stored history…</source>
        <translation>Detektoren lernen aus gespeichertem Verlauf…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="408"/>
        <source>Analysis %1 events behind</source>
        <translation>Analyse %1 Ereignisse im Rückstand</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="410"/>
        <source>Writing (%1 requests queued)</source>
        <translation>Schreibt (%1 Anfragen in der Warteschlange)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="169"/>
        <location filename="../ui/mainwindow.cpp" line="404"/>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
</context>
<context>
    <name>fg::PatternsModel</name>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="44"/>
        <source>NEW  %1</source>
        <translation>NEU  %1</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="53"/>
        <source>Example: %1</source>
        <translation>Beispiel: %1</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="54"/>
        <source>%1 in the range, %2 in all</source>
        <translation>%1 im Zeitraum, %2 insgesamt</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="76"/>
        <source>Error pattern</source>
        <translation>Fehlermuster</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="77"/>
        <source>Count</source>
        <translation>Anzahl</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="78"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="79"/>
        <source>First seen</source>
        <translation>Zuerst gesehen</translation>
    </message>
    <message>
        <location filename="../ui/patternsmodel.cpp" line="80"/>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
</context>
<context>
    <name>fg::RejectionsModel</name>
    <message numerus="yes">
        <location filename="../ui/rejectionsmodel.cpp" line="44"/>
        <source>%1, %n item(s) refused</source>
        <translation>
            <numerusform>%1, %n Eintrag abgelehnt</numerusform>
            <numerusform>%1, %n Einträge abgelehnt</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="47"/>
        <source>this window</source>
        <translation>dieses Fenster</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="58"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="59"/>
        <source>Route</source>
        <translation>Route</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="60"/>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="61"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="62"/>
        <source>Field</source>
        <translation>Feld</translation>
    </message>
    <message>
        <location filename="../ui/rejectionsmodel.cpp" line="63"/>
        <source>From</source>
        <translation>Von</translation>
    </message>
</context>
<context>
    <name>fg::RulesView</name>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>On</source>
        <translation>An</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Condition</source>
        <translation>Bedingung</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Window</source>
        <translation>Fenster</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20"/>
        <source>Channels</source>
        <translation>Kanäle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="27"/>
        <source>error_rate &gt; 5% and p95_latency_ms &gt; 800</source>
        <translation>error_rate &gt; 5% and p95_latency_ms &gt; 800</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="28"/>
        <source>empty: every channel</source>
        <translation>leer: alle Kanäle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="31"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="32"/>
        <source>Condition:</source>
        <translation>Bedingung:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="33"/>
        <source>Window:</source>
        <translation>Fenster:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="34"/>
        <source>For:</source>
        <translation>Dauer:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="35"/>
        <source>Level:</source>
        <translation>Stufe:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="36"/>
        <source>Service:</source>
        <translation>Dienst:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="37"/>
        <source>Channels:</source>
        <translation>Kanäle:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="38"/>
        <location filename="../ui/rulesview.cpp" line="113"/>
        <source>Add rule</source>
        <translation>Regel hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="41"/>
        <source>New rule</source>
        <translation>Neue Regel</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="43"/>
        <source>Delete selected rule</source>
        <translation>Ausgewählte Regel löschen</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="102"/>
        <source>Save rule</source>
        <translation>Regel speichern</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="111"/>
        <source>Saved rule %1</source>
        <translation>Regel %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="143"/>
        <source>(built-in: %1)</source>
        <translation>(eingebaut: %1)</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="151"/>
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="164"/>
        <source>Added rule %1</source>
        <translation>Regel %1 hinzugefügt</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="176"/>
        <source>Deleted</source>
        <translation>Gelöscht</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="185"/>
        <source>Saved</source>
        <translation>Gespeichert</translation>
    </message>
</context>
<context>
    <name>fg::ServiceView</name>
    <message>
        <location filename="../ui/serviceview.cpp" line="36"/>
        <source>15 min</source>
        <translation>15 Min.</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="37"/>
        <source>1 hour</source>
        <translation>1 Stunde</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="38"/>
        <source>6 hours</source>
        <translation>6 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="39"/>
        <source>24 hours</source>
        <translation>24 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="40"/>
        <source>7 days</source>
        <translation>7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>Error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="156"/>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="157"/>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="157"/>
        <source>req/s</source>
        <translation>Anfr./s</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="165"/>
        <source>No service chosen</source>
        <translation>Kein Dienst ausgewählt</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="169"/>
        <source>Custom…</source>
        <translation>Benutzerdefiniert…</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="171"/>
        <source>Time range of the timelines. Wheel over a chart to zoom, drag to pan, double click to reset.</source>
        <translation>Zeitraum der Verläufe. Mausrad über einem Diagramm zoomt, Ziehen verschiebt, Doppelklick setzt zurück.</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="172"/>
        <source>Whole service</source>
        <translation>Ganzer Dienst</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="173"/>
        <source>Back to the timelines of the whole service</source>
        <translation>Zurück zu den Verläufen des ganzen Dienstes</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="182"/>
        <source>Logs</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="183"/>
        <source>This service&apos;s stored logs</source>
        <translation>Die gespeicherten Logs dieses Dienstes</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="190"/>
        <source>Range:</source>
        <translation>Zeitraum:</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="207"/>
        <source>Double click an endpoint for its own timelines</source>
        <translation>Doppelklick auf einen Endpunkt zeigt seine eigenen Verläufe</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="146"/>
        <source>Alert #%1 (%2): %3</source>
        <translation>Alarm #%1 (%2): %3</translation>
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
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="409"/>
        <source>throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="435"/>
        <source>p95 %1 ms</source>
        <translation>p95 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="437"/>
        <source> (baseline %1 ms)</source>
        <translation> (Basislinie %1 ms)</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="440"/>
        <source>errors %1 %</source>
        <translation>Fehler %1 %</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/serviceview.cpp" line="443"/>
        <source>%n open degradation(s)</source>
        <translation>
            <numerusform>%n offene Verschlechterung</numerusform>
            <numerusform>%n offene Verschlechterungen</numerusform>
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
        <translation>%1 (Basislinie %2)</translation>
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
        <translation>p95-Latenz pro Minute in der letzten Stunde (Ereignisse pro Sekunde bei Diensten ohne Anfragen)</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="118"/>
        <source>Health %1 of 100: %2</source>
        <translation>Gesundheit %1 von 100: %2</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="138"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="139"/>
        <source>Health</source>
        <translation>Gesundheit</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="140"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="141"/>
        <source>p95 latency</source>
        <translation>p95-Latenz</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="142"/>
        <source>Errors</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="143"/>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="144"/>
        <source>Open alerts</source>
        <translation>Offene Alarme</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="145"/>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <location filename="../ui/servicesmodel.cpp" line="146"/>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
</context>
<context>
    <name>fg::ServicesOverview</name>
    <message>
        <location filename="../ui/servicesoverview.cpp" line="69"/>
        <source>Filter services…</source>
        <translation>Dienste filtern…</translation>
    </message>
    <message>
        <location filename="../ui/servicesoverview.cpp" line="117"/>
        <source>&lt;h3&gt;No service has sent anything yet&lt;/h3&gt;&lt;p&gt;Point your services&apos; logs at FlowGuard&apos;s listener. To try it, send a first event:&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Every service that sends logs or metrics shows up here within a few seconds, with its health, latency, errors and throughput.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Noch hat kein Dienst etwas gesendet&lt;/h3&gt;&lt;p&gt;Richten Sie die Logs Ihrer Dienste auf den Listener von FlowGuard. Zum Ausprobieren senden Sie ein erstes Ereignis:&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Jeder Dienst, der Logs oder Metriken sendet, erscheint hier innerhalb weniger Sekunden mit Gesundheit, Latenz, Fehlern und Durchsatz.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/servicesoverview.cpp" line="233"/>
        <source>%n service(s)</source>
        <translation>
            <numerusform>%n Dienst</numerusform>
            <numerusform>%n Dienste</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/servicesoverview.cpp" line="234"/>
        <source>%n service(s): %1</source>
        <translation>
            <numerusform>%n Dienst: %1</numerusform>
            <numerusform>%n Dienste: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>fg::SettingsView</name>
    <message>
        <location filename="../ui/settingsview.cpp" line="22"/>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="23"/>
        <source>Detection</source>
        <translation>Erkennung</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="24"/>
        <source>Tags</source>
        <translation>Tags</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="25"/>
        <source>Alert rules</source>
        <translation>Alarmregeln</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="27"/>
        <source>Channels</source>
        <translation>Kanäle</translation>
    </message>
    <message>
        <location filename="../ui/settingsview.cpp" line="28"/>
        <source>API tokens</source>
        <translation>API-Tokens</translation>
    </message>
</context>
<context>
    <name>fg::SilenceDialog</name>
    <message>
        <location filename="../ui/silencedialog.cpp" line="15"/>
        <source>Silence incidents</source>
        <translation>Vorfälle stummschalten</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="16"/>
        <source>&lt;b&gt;Silence every alert of %1&lt;/b&gt;</source>
        <translation>&lt;b&gt;Jeden Alarm von %1 stummschalten&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="19"/>
        <source>30 minutes</source>
        <translation>30 Minuten</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="19"/>
        <source>1 hour</source>
        <translation>1 Stunde</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="20"/>
        <source>2 hours</source>
        <translation>2 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="20"/>
        <source>4 hours</source>
        <translation>4 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="21"/>
        <source>8 hours</source>
        <translation>8 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="21"/>
        <source>1 day</source>
        <translation>1 Tag</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="24"/>
        <source>Who silences them</source>
        <translation>Wer sie stummschaltet</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="25"/>
        <source>Optional, e.g. &quot;deploy in progress&quot;</source>
        <translation>Optional, z. B. „Deployment läuft“</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="27"/>
        <source>Silence</source>
        <translation>Stummschalten</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="30"/>
        <source>For:</source>
        <translation>Dauer:</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="31"/>
        <source>Your name:</source>
        <translation>Ihr Name:</translation>
    </message>
    <message>
        <location filename="../ui/silencedialog.cpp" line="32"/>
        <source>Comment:</source>
        <translation>Kommentar:</translation>
    </message>
</context>
<context>
    <name>fg::StatePalette</name>
    <message>
        <location filename="../ui/statepalette.cpp" line="215"/>
        <source>healthy</source>
        <translation>gesund</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="216"/>
        <source>degraded</source>
        <translation>beeinträchtigt</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="217"/>
        <source>critical</source>
        <translation>kritisch</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="218"/>
        <source>silent</source>
        <translation>still</translation>
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
        <translation>Wörter oder Wendungen (durch Kommas getrennt)</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="29"/>
        <source>From HTTP status</source>
        <translation>Ab HTTP-Status</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="32"/>
        <source>Events whose message contains any of the words (whole words, any case), or whose status is at least the given one, get the tag; tags filter logs and patterns.</source>
        <translation>Ereignisse, deren Meldung eines der Wörter enthält (ganze Wörter, beliebige Schreibung) oder deren Status mindestens der angegebene ist, erhalten das Tag; Tags filtern Logs und Muster.</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="37"/>
        <source>Add rule</source>
        <translation>Regel hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="38"/>
        <source>Remove selected</source>
        <translation>Auswahl entfernen</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="39"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="92"/>
        <source>Built-in tags, always applied: %1</source>
        <translation>Eingebaute Tags, immer angewandt: %1</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="123"/>
        <source>Not saved: %1</source>
        <translation>Nicht gespeichert: %1</translation>
    </message>
    <message>
        <location filename="../ui/tagrulespage.cpp" line="125"/>
        <source>Saved; new events are tagged with these rules.</source>
        <translation>Gespeichert; neue Ereignisse werden mit diesen Regeln getaggt.</translation>
    </message>
</context>
<context>
    <name>fg::TimeText</name>
    <message>
        <location filename="../ui/timetext.cpp" line="13"/>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <location filename="../ui/timetext.cpp" line="16"/>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="20"/>
        <source>%n s ago</source>
        <translation>
            <numerusform>vor %n s</numerusform>
            <numerusform>vor %n s</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="22"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n Min.</numerusform>
            <numerusform>vor %n Min.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="24"/>
        <source>%n h ago</source>
        <translation>
            <numerusform>vor %n Std.</numerusform>
            <numerusform>vor %n Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/timetext.cpp" line="25"/>
        <source>%n d ago</source>
        <translation>
            <numerusform>vor %n Tag</numerusform>
            <numerusform>vor %n Tagen</numerusform>
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
        <translation>%1 T %2 h</translation>
    </message>
</context>
<context>
    <name>fg::TimeWindowDialog</name>
    <message>
        <location filename="../ui/timewindowdialog.cpp" line="13"/>
        <source>Time window</source>
        <translation>Zeitfenster</translation>
    </message>
    <message>
        <location filename="../ui/timewindowdialog.cpp" line="21"/>
        <source>From:</source>
        <translation>Von:</translation>
    </message>
    <message>
        <location filename="../ui/timewindowdialog.cpp" line="22"/>
        <source>To:</source>
        <translation>Bis:</translation>
    </message>
</context>
<context>
    <name>fg::TimelineChart</name>
    <message>
        <location filename="../ui/timelinechart.cpp" line="84"/>
        <source>degradation</source>
        <translation>Verschlechterung</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="86"/>
        <source>baseline</source>
        <translation>Basislinie</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="98"/>
        <source>alert</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="281"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="303"/>
        <source>baseline: %1 – %2</source>
        <translation>Basislinie: %1 – %2</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="306"/>
        <source>&lt;i&gt;degradation open&lt;/i&gt;</source>
        <translation>&lt;i&gt;Verschlechterung offen&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="358"/>
        <source>Click to open the alert</source>
        <translation>Klicken öffnet den Alarm</translation>
    </message>
</context>
<context>
    <name>fg::TokensPage</name>
    <message>
        <location filename="../ui/tokenspage.cpp" line="31"/>
        <source>Ingest: send logs and metrics</source>
        <translation>Ingest: Logs und Metriken senden</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="31"/>
        <source>Read: query the API</source>
        <translation>Lesen: die API abfragen</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="32"/>
        <source>Admin: everything, including rules, channels and silences</source>
        <translation>Admin: alles, auch Regeln, Kanäle und Stummschaltungen</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Prefix</source>
        <translation>Präfix</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Scopes</source>
        <translation>Berechtigungen</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="36"/>
        <source>Last used</source>
        <translation>Zuletzt benutzt</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="42"/>
        <source>Tokens let services and tools on other machines reach this listener (a token is required on any address but loopback). Each is shown only once, when created.</source>
        <translation>Tokens lassen Dienste und Werkzeuge auf anderen Rechnern diesen Listener erreichen (auf jeder Adresse außer Loopback ist ein Token nötig). Jedes wird nur einmal angezeigt, beim Erstellen.</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="45"/>
        <source>collectors</source>
        <translation>collectors</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="49"/>
        <source>The new token appears here, once</source>
        <translation>Das neue Token erscheint hier, einmalig</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="50"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="54"/>
        <source>Create token</source>
        <translation>Token erstellen</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="56"/>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="57"/>
        <source>Scopes:</source>
        <translation>Berechtigungen:</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="61"/>
        <source>New token:</source>
        <translation>Neues Token:</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="62"/>
        <source>New token</source>
        <translation>Neues Token</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="64"/>
        <source>Revoke selected</source>
        <translation>Auswahl widerrufen</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="111"/>
        <source>FlowGuard is not running yet</source>
        <translation>FlowGuard läuft noch nicht</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="113"/>
        <source>Choose at least one scope</source>
        <translation>Wählen Sie mindestens eine Berechtigung</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="115"/>
        <source>Name: %1</source>
        <translation>Name: %1</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="160"/>
        <source>Created. Copy the token now: it is not shown again.</source>
        <translation>Erstellt. Kopieren Sie das Token jetzt: es wird nicht noch einmal angezeigt.</translation>
    </message>
    <message>
        <location filename="../ui/tokenspage.cpp" line="177"/>
        <source>never</source>
        <translation>nie</translation>
    </message>
</context>
<context>
    <name>fg::TraceDialog</name>
    <message>
        <location filename="../ui/tracedialog.cpp" line="21"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="23"/>
        <source>Trace %1</source>
        <translation>Trace %1</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Span or message</source>
        <translation>Span oder Meldung</translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="26"/>
        <source>Duration</source>
        <translation>Dauer</translation>
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
            <numerusform>%n Span</numerusform>
            <numerusform>%n Spans</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/tracedialog.cpp" line="78"/>
        <source>%n log event(s)</source>
        <translation>
            <numerusform>%n Log-Ereignis</numerusform>
            <numerusform>%n Log-Ereignisse</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/tracedialog.cpp" line="80"/>
        <source>(the newest %1 events only)</source>
        <translation>(nur die neuesten %1 Ereignisse)</translation>
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
        <translation>Offen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/traynotifier.cpp" line="116"/>
        <source>FlowGuard: %n more alert(s)</source>
        <translation>
            <numerusform>FlowGuard: %n weiterer Alarm</numerusform>
            <numerusform>FlowGuard: %n weitere Alarme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/traynotifier.cpp" line="117"/>
        <source>In %1. Open FlowGuard to see the incidents.</source>
        <translation>In %1. Öffnen Sie FlowGuard, um die Vorfälle zu sehen.</translation>
    </message>
</context>
</TS>
