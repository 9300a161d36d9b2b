#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace fg {

// One way a client can send to FlowGuard, for the Connect panel: what it is, the ingest routes it feeds
// (its checklist entry ticks once any of them has committed items) and the snippet to paste. Snippets
// use {url} (this listener), {auth} (a curl header when tokens are required, else nothing) and
// {otel_headers} (the OTLP exporter's header variable when tokens are required). Add a format by
// adding one entry to clientFormats().
struct ClientFormat {
    QString id;
    QString title;
    QString description;
    QStringList routes;
    QString snippet;
};

QList<ClientFormat> clientFormats();
// The snippet with this listener's base URL ("http://127.0.0.1:4318") and, when tokens are required,
// a $FLOWGUARD_TOKEN placeholder.
QString renderSnippet(const ClientFormat &format, const QString &baseUrl, bool tokenRequired);

} // namespace fg
