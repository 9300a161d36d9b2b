#include "ingestinspector.h"
#include "ingest/otlpprotobuf.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace fg {

IngestInspector::Rejection IngestInspector::readProtobuf(int status, const QByteArray &body)
{
    Rejection r;
    r.status = status;
    std::int64_t rejected = 0;
    std::string message;
    if (otlp::readProtobufAnswer(status, std::string_view(body.constData(), std::size_t(body.size())), &rejected, &message)) {
        r.rejectedItems = int(rejected);
        r.reason = QString::fromStdString(message);
    }
    return r;
}

IngestInspector::Rejection IngestInspector::read(int status, const QByteArray &body)
{
    Rejection r;
    r.status = status;
    if (body.size() > kMaxBodyRead)
        return r;
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    // Items refused: native and Loki "rejected", OTLP partialSuccess.rejected<Items>.
    r.rejectedItems = o.value(QStringLiteral("rejected")).toInt();
    const QJsonObject partial = o.value(QStringLiteral("partialSuccess")).toObject();
    for (auto it = partial.begin(); it != partial.end(); ++it)
        if (it.key().startsWith(QLatin1String("rejected")))
            r.rejectedItems = it.value().toInt();
    const QJsonArray errors = o.value(QStringLiteral("errors")).toArray();
    if (!errors.isEmpty()) {
        const QJsonObject first = errors.first().toObject();
        r.field = first.value(QStringLiteral("field")).toString();
        r.reason = QStringLiteral("item %1: %2")
                       .arg(first.value(QStringLiteral("index")).toInt())
                       .arg(first.value(QStringLiteral("message")).toString());
        if (errors.size() > 1 || r.rejectedItems > 1)
            r.reason += QStringLiteral(" (%1 items refused)").arg(qMax(r.rejectedItems, int(errors.size())));
        return r;
    }
    if (const QString m = partial.value(QStringLiteral("errorMessage")).toString(); !m.isEmpty()) {
        r.reason = m;
        return r;
    }
    r.reason = o.value(QStringLiteral("message")).toString();
    r.field = o.value(QStringLiteral("details")).toObject().value(QStringLiteral("field")).toString();
    if (r.reason.isEmpty())
        r.reason = QStringLiteral("HTTP %1").arg(status);
    return r;
}

void IngestInspector::observe(const char *route, const QHostAddress &peer, bool inProcess, const HttpResponse &response,
                              TimeNs at)
{
    const bool ok = response.status >= 200 && response.status < 300;
    // Most answers refuse nothing: say so without parsing them.
    if (ok && (response.body.isEmpty() || response.body.contains("\"rejected\":0,") || response.body == "{\"partialSuccess\":{}}")) {
        std::lock_guard lock(m_mutex);
        m_lastAccepted[route] = at;
        return;
    }
    Rejection r = response.contentType == "application/x-protobuf" ? readProtobuf(response.status, response.body)
                                                                   : read(response.status, response.body);
    if (ok && r.rejectedItems == 0) {
        std::lock_guard lock(m_mutex);
        m_lastAccepted[route] = at;
        return;
    }
    r.at = at;
    r.route = route;
    r.source = inProcess ? QStringLiteral("window") : peer.toString();
    std::lock_guard lock(m_mutex);
    if (ok)
        m_lastAccepted[route] = at; // partly accepted
    r.id = ++m_lastId;
    m_rejections.push_back(std::move(r));
    while (m_rejections.size() > kCapacity)
        m_rejections.pop_front();
}

QJsonArray IngestInspector::rejectionsJson() const
{
    std::lock_guard lock(m_mutex);
    QJsonArray items;
    for (auto it = m_rejections.rbegin(); it != m_rejections.rend(); ++it) {
        QJsonObject o{{QStringLiteral("id"), it->id},
                      {QStringLiteral("at"), QString::fromStdString(formatIsoMs(it->at))},
                      {QStringLiteral("route"), QString::fromStdString(it->route)},
                      {QStringLiteral("status"), it->status},
                      {QStringLiteral("reason"), it->reason},
                      {QStringLiteral("source"), it->source}};
        o.insert(QStringLiteral("field"), it->field.isEmpty() ? QJsonValue() : QJsonValue(it->field));
        o.insert(QStringLiteral("rejected_items"), it->rejectedItems);
        o.insert(QStringLiteral("partial"), it->status < 300);
        items.append(o);
    }
    return items;
}

std::map<std::string, TimeNs> IngestInspector::lastAccepted() const
{
    std::lock_guard lock(m_mutex);
    return m_lastAccepted;
}

} // namespace fg
