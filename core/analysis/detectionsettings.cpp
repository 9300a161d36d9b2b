#include "detectionsettings.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace fg {

double DetectionSettings::activeAt() const
{
    switch (sensitivity) {
    case Sensitivity::Low: return 4.0;
    case Sensitivity::High: return 2.5;
    case Sensitivity::Normal: break;
    }
    return 3.0;
}

double DetectionSettings::extremeAt() const
{
    switch (sensitivity) {
    case Sensitivity::Low: return 10.0;
    case Sensitivity::High: return 6.0;
    case Sensitivity::Normal: break;
    }
    return 8.0;
}

QJsonObject DetectionSettings::toJson() const
{
    QJsonObject s;
    for (const auto &[service, slo] : slos) {
        QJsonObject o;
        if (slo.p95LatencyMs > 0)
            o.insert(QStringLiteral("p95_latency_ms"), slo.p95LatencyMs);
        if (slo.errorRate > 0)
            o.insert(QStringLiteral("error_rate"), slo.errorRate);
        s.insert(QString::fromStdString(service), o);
    }
    const char *sens = sensitivity == Sensitivity::Low ? "low" : sensitivity == Sensitivity::High ? "high" : "normal";
    return QJsonObject{{QStringLiteral("sensitivity"), QLatin1String(sens)},
                       {QStringLiteral("for_minutes"), forMinutes},
                       {QStringLiteral("clear_minutes"), clearMinutes},
                       {QStringLiteral("warmup_minutes"), warmupMinutes},
                       {QStringLiteral("slos"), s}};
}

DetectionSettings DetectionSettings::stored(const std::optional<std::string> &json)
{
    if (!json)
        return {};
    QString field, message;
    return fromJson(QJsonDocument::fromJson(QByteArray::fromStdString(*json)).object(), &field, &message)
        .value_or(DetectionSettings());
}

std::optional<DetectionSettings> DetectionSettings::fromJson(const QJsonObject &json, QString *field, QString *message)
{
    DetectionSettings d;
    auto fail = [&](const QString &f, const QString &m) {
        *field = f;
        *message = m;
        return std::nullopt;
    };
    static const QStringList known = {QStringLiteral("sensitivity"), QStringLiteral("for_minutes"),
                                      QStringLiteral("clear_minutes"), QStringLiteral("warmup_minutes"),
                                      QStringLiteral("slos")};
    for (const QString &k : json.keys())
        if (!known.contains(k))
            return fail(k, QStringLiteral("is not a detection setting"));
    if (json.contains(QStringLiteral("sensitivity"))) {
        const QString s = json.value(QStringLiteral("sensitivity")).toString();
        if (s == QLatin1String("low"))
            d.sensitivity = Sensitivity::Low;
        else if (s == QLatin1String("high"))
            d.sensitivity = Sensitivity::High;
        else if (s != QLatin1String("normal"))
            return fail(QStringLiteral("sensitivity"), QStringLiteral("must be low, normal or high"));
    }
    const struct {
        const char *name;
        int *target;
        int min, max;
    } ints[] = {{"for_minutes", &d.forMinutes, 1, 60},
                {"clear_minutes", &d.clearMinutes, 1, 120},
                {"warmup_minutes", &d.warmupMinutes, 5, 1440}};
    for (const auto &i : ints) {
        const QJsonValue v = json.value(QLatin1String(i.name));
        if (v.isUndefined())
            continue;
        if (!v.isDouble() || v.toDouble() != double(v.toInt()) || v.toInt() < i.min || v.toInt() > i.max)
            return fail(QLatin1String(i.name), QStringLiteral("must be a whole number from %1 to %2").arg(i.min).arg(i.max));
        *i.target = v.toInt();
    }
    const QJsonValue slos = json.value(QStringLiteral("slos"));
    if (!slos.isUndefined()) {
        if (!slos.isObject())
            return fail(QStringLiteral("slos"), QStringLiteral("must be an object of service names"));
        const QJsonObject o = slos.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QString where = QStringLiteral("slos.") + it.key();
            if (!it.value().isObject())
                return fail(where, QStringLiteral("must be an object with p95_latency_ms and/or error_rate"));
            ServiceSlo slo;
            const QJsonObject s = it.value().toObject();
            for (const QString &k : s.keys())
                if (k != QLatin1String("p95_latency_ms") && k != QLatin1String("error_rate"))
                    return fail(where + QLatin1Char('.') + k, QStringLiteral("is not an SLO field"));
            const QJsonValue p95 = s.value(QStringLiteral("p95_latency_ms"));
            if (!p95.isUndefined() && (!p95.isDouble() || p95.toDouble() <= 0))
                return fail(where + QStringLiteral(".p95_latency_ms"), QStringLiteral("must be a positive number"));
            const QJsonValue err = s.value(QStringLiteral("error_rate"));
            if (!err.isUndefined() && (!err.isDouble() || err.toDouble() <= 0 || err.toDouble() >= 1))
                return fail(where + QStringLiteral(".error_rate"), QStringLiteral("must be a fraction between 0 and 1"));
            slo.p95LatencyMs = p95.toDouble(0);
            slo.errorRate = err.toDouble(0);
            d.slos[it.key().toStdString()] = slo;
        }
    }
    return d;
}

} // namespace fg
