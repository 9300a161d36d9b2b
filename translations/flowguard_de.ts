<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <location filename="../app/main.cpp" line="108" />
        <source>FlowGuard cannot start</source>
        <translation>FlowGuard kann nicht starten</translation>
    </message>
</context>
<context>
    <name>fg::AlertsModel</name>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="57" />
        <source> (test)</source>
        <translation> (Test)</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="59" />
        <source>, silenced</source>
        <translation>, stummgeschaltet</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="78" />
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="79" />
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="80" />
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="81" />
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="82" />
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="83" />
        <source>Fired</source>
        <translation>Ausgelöst</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="84" />
        <source>Resolved</source>
        <translation>Behoben</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="85" />
        <source>Acknowledged by</source>
        <translation>Bestätigt von</translation>
    </message>
    <message>
        <location filename="../ui/alertsmodel.cpp" line="86" />
        <source>Notified</source>
        <translation>Benachrichtigt</translation>
    </message>
</context>
<context>
    <name>fg::AlertsView</name>
    <message>
        <location filename="../ui/alertsview.cpp" line="26" />
        <source>Open</source>
        <translation>Offen</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="27" />
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="28" />
        <source>Firing</source>
        <translation>Aktiv</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="29" />
        <source>Resolved</source>
        <translation>Behoben</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="30" />
        <source>Acknowledge…</source>
        <translation>Bestätigen…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="31" />
        <source>Send test alert</source>
        <translation>Testalarm senden</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="32" />
        <source>Export CSV…</source>
        <translation>CSV exportieren…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="34" />
        <source>Show:</source>
        <translation>Anzeigen:</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="83" />
        <source>%n alert(s)</source>
        <translation>
            <numerusform>%n Alarm</numerusform>
            <numerusform>%n Alarme</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="119" />
        <source>&lt;p&gt;Acknowledged by %1: %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;Bestätigt von %1: %2&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="122" />
        <source>&lt;h4&gt;History&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;h4&gt;Verlauf&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="129" />
        <source>&lt;/ul&gt;&lt;h4&gt;Notifications&lt;/h4&gt;&lt;ul&gt;</source>
        <translation>&lt;/ul&gt;&lt;h4&gt;Benachrichtigungen&lt;/h4&gt;&lt;ul&gt;</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="146" />
        <source>Acknowledge alert</source>
        <translation>Alarm bestätigen</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="146" />
        <source>Note (optional):</source>
        <translation>Notiz (optional):</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="159" />
        <source>Acknowledged</source>
        <translation>Bestätigt</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="172" />
        <source>Test alert sent to every enabled channel</source>
        <translation>Testalarm an alle aktiven Kanäle gesendet</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="179" />
        <source>Last 24 hours</source>
        <translation>Letzte 24 Stunden</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="179" />
        <source>Last 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="179" />
        <source>Last 30 days</source>
        <translation>Letzte 30 Tage</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="179" />
        <source>Everything</source>
        <translation>Alles</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="181" />
        <location filename="../ui/alertsview.cpp" line="184" />
        <source>Export alerts</source>
        <translation>Alarme exportieren</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="181" />
        <source>Range:</source>
        <translation>Zeitraum:</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="185" />
        <source>CSV files (*.csv)</source>
        <translation>CSV-Dateien (*.csv)</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="196" />
        <source>Exporting alerts…</source>
        <translation>Alarme werden exportiert…</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="196" />
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location filename="../ui/alertsview.cpp" line="209" />
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/alertsview.cpp" line="211" />
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
        <location filename="../ui/channelsdialog.cpp" line="19" />
        <source>Enabled</source>
        <translation>Aktiviert</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="21" />
        <source>Notification channels</source>
        <translation>Benachrichtigungskanäle</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="22" />
        <source>Slack incoming webhook</source>
        <translation>Slack Incoming Webhook</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="23" />
        <source>Webhook (Alertmanager JSON)</source>
        <translation>Webhook (Alertmanager-JSON)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="24" />
        <source>E-mail (SMTP)</source>
        <translation>E-Mail (SMTP)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="25" />
        <source>Desktop notifications</source>
        <translation>Desktop-Benachrichtigungen</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="27" />
        <source>https://hooks.slack.com/services/… or smtps://user:password@host</source>
        <translation>https://hooks.slack.com/services/… oder smtps://benutzer:passwort@host</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="28" />
        <source>ops@example.org, lead@example.org</source>
        <translation>ops@example.org, lead@example.org</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="31" />
        <source>Type:</source>
        <translation>Typ:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="32" />
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="33" />
        <source>URL:</source>
        <translation>URL:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="34" />
        <source>E-mail to:</source>
        <translation>E-Mail an:</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="37" />
        <source>Add channel</source>
        <translation>Kanal hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="38" />
        <source>Save changes to the selected channel</source>
        <translation>Änderungen am ausgewählten Kanal speichern</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="41" />
        <source>Channel</source>
        <translation>Kanal</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="43" />
        <source>Remove selected</source>
        <translation>Auswahl entfernen</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="84" />
        <source> (disabled)</source>
        <translation> (deaktiviert)</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="88" />
        <source>Secrets: %1</source>
        <translation>Geheimnisse: %1</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="105" />
        <source>Added %1</source>
        <translation>%1 hinzugefügt</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="135" />
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/channelsdialog.cpp" line="150" />
        <source>Removed</source>
        <translation>Entfernt</translation>
    </message>
</context>
<context>
    <name>fg::MainWindow</name>
    <message>
        <location filename="../ui/mainwindow.cpp" line="21" />
        <source>FlowGuard</source>
        <translation>FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="26" />
        <source>Listening on:</source>
        <translation>Lauscht auf:</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="27" />
        <source>Ingest rate:</source>
        <translation>Eingangsrate:</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="28" />
        <source>Stored log events:</source>
        <translation>Gespeicherte Log-Ereignisse:</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="29" />
        <source>Stored metric points:</source>
        <translation>Gespeicherte Messpunkte:</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="30" />
        <source>Ingest requests:</source>
        <translation>Eingangsanfragen:</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="31" />
        <source>Database size:</source>
        <translation>Datenbankgröße:</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="32" />
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="33" />
        <source>Alerts</source>
        <translation>Alarme</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="34" />
        <source>Rules</source>
        <translation>Regeln</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="36" />
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="37" />
        <source>Notification &amp;channels…</source>
        <translation>Benachrichtigungs&amp;kanäle…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="38" />
        <source>Starting…</source>
        <translation>Startet…</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="53" />
        <source>%1 items/s</source>
        <translation>%1 Einträge/s</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="56" />
        <source>%1 (%2 items rejected)</source>
        <translation>%1 (%2 Einträge abgelehnt)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="58" />
        <source>Writing (%1 requests queued)</source>
        <translation>Schreibt (%1 Anfragen in der Warteschlange)</translation>
    </message>
    <message>
        <location filename="../ui/mainwindow.cpp" line="58" />
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
</context>
<context>
    <name>fg::RulesView</name>
    <message>
        <location filename="../ui/rulesview.cpp" line="20" />
        <source>On</source>
        <translation>An</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20" />
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20" />
        <source>Condition</source>
        <translation>Bedingung</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20" />
        <source>Window</source>
        <translation>Fenster</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20" />
        <source>Level</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20" />
        <source>Service</source>
        <translation>Dienst</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="20" />
        <source>Channels</source>
        <translation>Kanäle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="27" />
        <source>error_rate &gt; 5% and p95_latency_ms &gt; 800</source>
        <translation>error_rate &gt; 5% and p95_latency_ms &gt; 800</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="28" />
        <source>empty: every channel</source>
        <translation>leer: alle Kanäle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="31" />
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="32" />
        <source>Condition:</source>
        <translation>Bedingung:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="33" />
        <source>Window:</source>
        <translation>Fenster:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="34" />
        <source>For:</source>
        <translation>Dauer:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="35" />
        <source>Level:</source>
        <translation>Stufe:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="36" />
        <source>Service:</source>
        <translation>Dienst:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="37" />
        <source>Channels:</source>
        <translation>Kanäle:</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="38" />
        <location filename="../ui/rulesview.cpp" line="114" />
        <source>Add rule</source>
        <translation>Regel hinzufügen</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="41" />
        <source>New rule</source>
        <translation>Neue Regel</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="43" />
        <source>Delete selected rule</source>
        <translation>Ausgewählte Regel löschen</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="103" />
        <source>Save rule</source>
        <translation>Regel speichern</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="112" />
        <source>Saved rule %1</source>
        <translation>Regel %1 gespeichert</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="138" />
        <source>(built-in: %1)</source>
        <translation>(eingebaut: %1)</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="146" />
        <source>all</source>
        <translation>alle</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="159" />
        <source>Added rule %1</source>
        <translation>Regel %1 hinzugefügt</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="171" />
        <source>Deleted</source>
        <translation>Gelöscht</translation>
    </message>
    <message>
        <location filename="../ui/rulesview.cpp" line="180" />
        <source>Saved</source>
        <translation>Gespeichert</translation>
    </message>
</context>
<context>
    <name>fg::TrayNotifier</name>
    <message>
        <location filename="../ui/traynotifier.cpp" line="22" />
        <source>FlowGuard</source>
        <translation>FlowGuard</translation>
    </message>
    <message>
        <location filename="../ui/traynotifier.cpp" line="59" />
        <source>Open</source>
        <translation>Offen</translation>
    </message>
</context>
</TS>