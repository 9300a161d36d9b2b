<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <location filename="../app/main.cpp" line="131"/>
        <source>FlowGuard cannot start</source>
        <translation>FlowGuard kann nicht starten</translation>
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
        <location filename="../ui/alerthistorychart.cpp" line="97"/>
        <source>Alerts per hour</source>
        <translation>Alarme pro Stunde</translation>
    </message>
    <message>
        <location filename="../ui/alerthistorychart.cpp" line="97"/>
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
        <location filename="../ui/alertsmodel.cpp" line="60"/>
        <source> (test)</source>
        <translation> (Test)</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="62"/>
        <source>, silenced</source>
        <translation>, stummgeschaltet</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="76"/>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="77"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="78"/>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="79"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="80"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="81"/>
        <source>Fired</source>
        <translation>Ausgelöst</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="82"/>
        <source>Resolved</source>
        <translation>Behoben</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="83"/>
        <source>Acknowledged by</source>
        <translation>Bestätigt von</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="84"/>
        <source>Notified</source>
        <translation>Benachrichtigt</translation>
    </message>
</context>
<context>
    <name>fg::AlertsView</name>
    <message>
        <location filename="../ui/alertsview.cpp" line="37"/>
        <source>Acknowledge…</source>
        <translation>Bestätigen…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="40"/>
        <source>Send test alert</source>
        <translation>Testalarm senden</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="41"/>
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="42"/>
        <source>Export every alert the filters show</source>
        <translation>Alle Alarme exportieren, die die Filter zeigen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="125"/>
        <source>The newest %n alert(s)</source>
        <translation>
            <numerusform>Der neueste Alarm</numerusform>
            <numerusform>Die neuesten %n Alarme</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="126"/>
        <source>%n alert(s)</source>
        <translation>
            <numerusform>%n Alarm</numerusform>
            <numerusform>%n Alarme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="196"/>
        <source>&lt;p&gt;Acknowledged by %1: %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;Bestätigt von %1: %2&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="199"/>
        <source>&lt;h4&gt;History&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;h4&gt;Verlauf&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="206"/>
        <source>&lt;/ul&gt;&lt;h4&gt;Notifications&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;/ul&gt;&lt;h4&gt;Benachrichtigungen&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="229"/>
        <source>#%1 %2 — %3</source>
        <translation>#%1 %2 — %3</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="251"/>
        <source>Acknowledged</source>
        <translation>Bestätigt</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="264"/>
        <source>Test alert sent to every enabled channel</source>
        <translation>Testalarm an alle aktiven Kanäle gesendet</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="292"/>
        <source>Exporting alerts… %n written</source>
        <translation>
            <numerusform>Alarme werden exportiert… %n geschrieben</numerusform>
            <numerusform>Alarme werden exportiert… %n geschrieben</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="272"/>
        <source>Export alerts</source>
        <translation>Alarme exportieren</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="273"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="285"/>
        <source>Exporting alerts…</source>
        <translation>Alarme werden exportiert…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="285"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="299"/>
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
        <location filename="../ui/channelsdialog.cpp" line="84"/>
        <source> (disabled)</source>
        <translation> (deaktiviert)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="88"/>
        <source>Secrets: %1</source>
        <translation>Geheimnisse: %1</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="105"/>
        <source>Added %1</source>
        <translation>%1 hinzugefügt</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="135"/>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="150"/>
        <source>Removed</source>
        <translation>Entfernt</translation>
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
    <name>fg::IncidentsModel</name>
    <message numerus="yes">
        <location filename="../ui/incidentsmodel.cpp" line="233"/>
        <source>%n to acknowledge</source>
        <translation>
            <numerusform>%n zu bestätigen</numerusform>
            <numerusform>%n zu bestätigen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="254"/>
        <source>#%1 %2</source>
        <translation>#%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="255"/>
        <source>, silenced</source>
        <translation>, stummgeschaltet</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="268"/>
        <source>Severity</source>
        <translation>Schwere</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="269"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="270"/>
        <source>Incident</source>
        <translation>Vorfall</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="271"/>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="272"/>
        <source>Opened</source>
        <translation>Eröffnet</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="273"/>
        <source>Last activity</source>
        <translation>Letzte Aktivität</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="274"/>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="275"/>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <location filename="../ui/incidentsmodel.cpp" line="276"/>
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
        <location filename="../ui/incidentsview.cpp" line="159"/>
        <source>%n incident(s)</source>
        <translation>
            <numerusform>%n Vorfall</numerusform>
            <numerusform>%n Vorfälle</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="187"/>
        <source>#%1 %2 — %3 (%n open alert(s))</source>
        <translation>
            <numerusform>#%1 %2 — %3 (%n offener Alarm)</numerusform>
            <numerusform>#%1 %2 — %3 (%n offene Alarme)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="190"/>
        <source>and %n more incident(s)</source>
        <translation>
            <numerusform>und %n weiterer Vorfall</numerusform>
            <numerusform>und %n weitere Vorfälle</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="193"/>
        <source>Acknowledge %n incident(s)</source>
        <translation>
            <numerusform>%n Vorfall bestätigen</numerusform>
            <numerusform>%n Vorfälle bestätigen</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/incidentsview.cpp" line="211"/>
        <source>Nothing to acknowledge: every open alert of the selection already is</source>
        <translation>Nichts zu bestätigen: jeder offene Alarm der Auswahl ist es schon</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="227"/>
        <source>Acknowledged %n alert(s)</source>
        <translation>
            <numerusform>%n Alarm bestätigt</numerusform>
            <numerusform>%n Alarme bestätigt</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/incidentsview.cpp" line="274"/>
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
        <location filename="../ui/logsmodel.cpp" line="174"/>
        <source>Request: %1 %2</source>
        <translation>Anfrage: %1 %2</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="176"/>
        <source>Status: %1</source>
        <translation>Status: %1</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="178"/>
        <source>Latency: %1 ms</source>
        <translation>Latenz: %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="180"/>
        <source>Trace: %1</source>
        <translation>Trace: %1</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="192"/>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="193"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="194"/>
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/logsmodel.cpp" line="195"/>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>fg::LogsView</name>
    <message>
        <location filename="../ui/logsview.cpp" line="26"/>
        <source>Last 15 min</source>
        <translation>Letzte 15 Min.</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="27"/>
        <source>Last hour</source>
        <translation>Letzte Stunde</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="28"/>
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="29"/>
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="30"/>
        <source>Everything</source>
        <translation>Alles</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="35"/>
        <source>Follow</source>
        <translation>Mitlaufen</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="41"/>
        <source>All services</source>
        <translation>Alle Dienste</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="43"/>
        <source>Any level</source>
        <translation>Jede Stufe</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="45"/>
        <source>%1 and above</source>
        <translation>%1 und höher</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="46"/>
        <source>Text in the message…</source>
        <translation>Text in der Meldung…</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="51"/>
        <source>Show new events on top as they arrive</source>
        <translation>Neue Ereignisse oben anzeigen, sobald sie eintreffen</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="52"/>
        <source>Search</source>
        <translation>Suchen</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="158"/>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="186"/>
        <source>No stored events match.</source>
        <translation>Keine gespeicherten Ereignisse passen.</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="188"/>
        <source>%1 events shown, newest first; scroll down for older ones</source>
        <translation>%1 Ereignisse angezeigt, neueste zuerst; für ältere nach unten blättern</translation>
    </message>
    <message>
        <location filename="../ui/logsview.cpp" line="190"/>
        <source>%1 events, newest first</source>
        <translation>%1 Ereignisse, neueste zuerst</translation>
    </message>
</context>
<context>
    <name>fg::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="41"/>
        <location filename="../ui/mainwindow.cpp" line="249"/>
        <source>FlowGuard</source>
        <translation>FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="51"/>
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="52"/>
        <source>Rules</source>
        <translation>Regeln</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="100"/>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="101"/>
        <source>Notification &amp;channels…</source>
        <translation>Benachrichtigungs&amp;kanäle…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="80"/>
        <source>Starting…</source>
        <translation>Startet…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="44"/>
        <source>Services</source>
        <translation>Dienste</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="45"/>
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="46"/>
        <source>Logs</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="49"/>
        <source>Incidents</source>
        <translation>Vorfälle</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="50"/>
        <source>Alert history</source>
        <translation>Alarmverlauf</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="77"/>
        <source>The listener your services send their logs and metrics to</source>
        <translation>Der Listener, an den Ihre Dienste Logs und Metriken senden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="90"/>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="91"/>
        <location filename="../ui/mainwindow.cpp" line="150"/>
        <location filename="../ui/mainwindow.cpp" line="216"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="92"/>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="98"/>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="99"/>
        <source>&amp;Find…</source>
        <translation>&amp;Suchen…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="102"/>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="103"/>
        <source>&amp;About FlowGuard</source>
        <translation>Ü&amp;ber FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="120"/>
        <source>About FlowGuard</source>
        <translation>Über FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="121"/>
        <source>&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Local ingest, storage and early degradation alerts for service logs and metrics.&lt;/p&gt;&lt;p&gt;Listening on %2&lt;br&gt;Database: %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;FlowGuard %1&lt;/h3&gt;&lt;p&gt;Lokale Annahme, Speicherung und frühe Warnung vor Verschlechterungen für Logs und Metriken von Diensten.&lt;/p&gt;&lt;p&gt;Lauscht auf %2&lt;br&gt;Datenbank: %3&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="148"/>
        <source>&amp;Open FlowGuard</source>
        <translation>FlowGuard &amp;öffnen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="200"/>
        <source>FlowGuard keeps monitoring</source>
        <translation>FlowGuard überwacht weiter</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="201"/>
        <source>FlowGuard is still receiving events and will notify you of alerts. Open it from the tray icon; quit it from the tray menu or with Ctrl+Q.</source>
        <translation>FlowGuard empfängt weiter Ereignisse und benachrichtigt Sie bei Alarmen. Öffnen Sie es über das Symbol im Infobereich; beenden Sie es über dessen Menü oder mit Strg+Q.</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="212"/>
        <source>Quit FlowGuard?</source>
        <translation>FlowGuard beenden?</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="213"/>
        <source>Closing the window stops FlowGuard: services can no longer send events to it and no alerts will be raised.</source>
        <translation>Das Schließen des Fensters beendet FlowGuard: Dienste können keine Ereignisse mehr senden, und es werden keine Alarme ausgelöst.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/mainwindow.cpp" line="249"/>
        <source>FlowGuard — %n firing alert(s)</source>
        <translation>
            <numerusform>FlowGuard — %n aktiver Alarm</numerusform>
            <numerusform>FlowGuard — %n aktive Alarme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="300"/>
        <source>%1 items/s</source>
        <translation>%1 Einträge/s</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="301"/>
        <source>Accepted items per second over the last 10 seconds</source>
        <translation>Angenommene Einträge pro Sekunde in den letzten 10 Sekunden</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="302"/>
        <source>%1 logs, %2 metric points</source>
        <translation>%1 Logs, %2 Metrikpunkte</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="303"/>
        <source>%1 ingest requests (%2 items rejected)</source>
        <translation>%1 Ingest-Anfragen (%2 Einträge abgelehnt)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="308"/>
        <source>Detectors learning from stored history…</source>
        <translation>Detektoren lernen aus gespeichertem Verlauf…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="310"/>
        <source>Analysis %1 events behind</source>
        <translation>Analyse %1 Ereignisse im Rückstand</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="312"/>
        <source>Writing (%1 requests queued)</source>
        <translation>Schreibt (%1 Anfragen in der Warteschlange)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="306"/>
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
        <location filename="../ui/serviceview.cpp" line="34"/>
        <source>15 min</source>
        <translation>15 Min.</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="35"/>
        <source>1 hour</source>
        <translation>1 Stunde</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="36"/>
        <source>6 hours</source>
        <translation>6 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="37"/>
        <source>24 hours</source>
        <translation>24 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="38"/>
        <source>7 days</source>
        <translation>7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="91"/>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="91"/>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="91"/>
        <source>Error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="91"/>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="92"/>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="92"/>
        <source>req/s</source>
        <translation>Anfr./s</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="100"/>
        <source>No service chosen</source>
        <translation>Kein Dienst ausgewählt</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="104"/>
        <source>Custom…</source>
        <translation>Benutzerdefiniert…</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="106"/>
        <source>Time range of the timelines. Wheel over a chart to zoom, drag to pan, double click to reset.</source>
        <translation>Zeitraum der Verläufe. Mausrad über einem Diagramm zoomt, Ziehen verschiebt, Doppelklick setzt zurück.</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="107"/>
        <source>Whole service</source>
        <translation>Ganzer Dienst</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="108"/>
        <source>Back to the timelines of the whole service</source>
        <translation>Zurück zu den Verläufen des ganzen Dienstes</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="117"/>
        <source>Logs</source>
        <translation>Logs</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="118"/>
        <source>This service&apos;s stored logs</source>
        <translation>Die gespeicherten Logs dieses Dienstes</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="125"/>
        <source>Range:</source>
        <translation>Zeitraum:</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="142"/>
        <source>Double click an endpoint for its own timelines</source>
        <translation>Doppelklick auf einen Endpunkt zeigt seine eigenen Verläufe</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="323"/>
        <source>Alert #%1 (%2): %3</source>
        <translation>Alarm #%1 (%2): %3</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="338"/>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="338"/>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="340"/>
        <source>error rate</source>
        <translation>Fehlerquote</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="342"/>
        <source>throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="367"/>
        <source>p95 %1 ms</source>
        <translation>p95 %1 ms</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="369"/>
        <source> (baseline %1 ms)</source>
        <translation> (Basislinie %1 ms)</translation>
    </message>
    <message>
        <location filename="../ui/serviceview.cpp" line="372"/>
        <source>errors %1 %</source>
        <translation>Fehler %1 %</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/serviceview.cpp" line="375"/>
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
        <location filename="../ui/servicesoverview.cpp" line="65"/>
        <source>Filter services…</source>
        <translation>Dienste filtern…</translation>
    </message>
    <message>
        <location filename="../ui/servicesoverview.cpp" line="112"/>
        <source>&lt;h3&gt;No service has sent anything yet&lt;/h3&gt;&lt;p&gt;Point your services&apos; logs at FlowGuard&apos;s listener. To try it, send a first event:&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Every service that sends logs or metrics shows up here within a few seconds, with its health, latency, errors and throughput.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Noch hat kein Dienst etwas gesendet&lt;/h3&gt;&lt;p&gt;Richten Sie die Logs Ihrer Dienste auf den Listener von FlowGuard. Zum Ausprobieren senden Sie ein erstes Ereignis:&lt;/p&gt;&lt;p&gt;&lt;code&gt;%1&lt;/code&gt;&lt;/p&gt;&lt;p&gt;Jeder Dienst, der Logs oder Metriken sendet, erscheint hier innerhalb weniger Sekunden mit Gesundheit, Latenz, Fehlern und Durchsatz.&lt;/p&gt;</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/servicesoverview.cpp" line="188"/>
        <source>%n service(s)</source>
        <translation>
            <numerusform>%n Dienst</numerusform>
            <numerusform>%n Dienste</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/servicesoverview.cpp" line="189"/>
        <source>%n service(s): %1</source>
        <translation>
            <numerusform>%n Dienst: %1</numerusform>
            <numerusform>%n Dienste: %1</numerusform>
        </translation>
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
        <location filename="../ui/statepalette.cpp" line="93"/>
        <source>healthy</source>
        <translation>gesund</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="94"/>
        <source>degraded</source>
        <translation>beeinträchtigt</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="95"/>
        <source>critical</source>
        <translation>kritisch</translation>
    </message>
    <message>
        <location filename="../ui/statepalette.cpp" line="96"/>
        <source>silent</source>
        <translation>still</translation>
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
        <location filename="../ui/timelinechart.cpp" line="91"/>
        <source>degradation</source>
        <translation>Verschlechterung</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="94"/>
        <source>baseline</source>
        <translation>Basislinie</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="103"/>
        <source>alert</source>
        <translation>Alarm</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="260"/>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="282"/>
        <source>baseline: %1 – %2</source>
        <translation>Basislinie: %1 – %2</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="285"/>
        <source>&lt;i&gt;degradation open&lt;/i&gt;</source>
        <translation>&lt;i&gt;Verschlechterung offen&lt;/i&gt;</translation>
    </message>
    <message>
        <location filename="../ui/timelinechart.cpp" line="337"/>
        <source>Click to open the alert</source>
        <translation>Klicken öffnet den Alarm</translation>
    </message>
</context>
<context>
    <name>fg::TrayNotifier</name>
    <message>
        <location filename="../ui/traynotifier.cpp" line="23"/>
        <source>FlowGuard</source>
        <translation>FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/traynotifier.cpp" line="58"/>
        <source>Open</source>
        <translation>Offen</translation>
    </message>
</context>
</TS>
