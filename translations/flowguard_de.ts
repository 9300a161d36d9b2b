<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>fg::MainWindow</name>
    <message><source>FlowGuard</source><translation>FlowGuard</translation></message>
    <message><source>Listening on:</source><translation>Lauscht auf:</translation></message>
    <message><source>Ingest rate:</source><translation>Eingangsrate:</translation></message>
    <message><source>Stored log events:</source><translation>Gespeicherte Log-Ereignisse:</translation></message>
    <message><source>Stored metric points:</source><translation>Gespeicherte Messpunkte:</translation></message>
    <message><source>Ingest requests:</source><translation>Eingangsanfragen:</translation></message>
    <message><source>Database size:</source><translation>Datenbankgröße:</translation></message>
    <message><source>Starting…</source><translation>Startet…</translation></message>
    <message><source>%1 items/s</source><translation>%1 Einträge/s</translation></message>
    <message><source>%1 (%2 items rejected)</source><translation>%1 (%2 Einträge abgelehnt)</translation></message>
    <message><source>Writing (%1 requests queued)</source><translation>Schreibt (%1 Anfragen in der Warteschlange)</translation></message>
    <message><source>Ready</source><translation>Bereit</translation></message>
</context>
</TS>
