#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <string>

#include "model/timestamp.h"

namespace fg::queryjson {

// What the query and analytics routes share: stored values as JSON, and the bound on buckets of a
// bucketed query.
constexpr int kMaxBuckets = 10'000;

inline QJsonValue str(const std::string &s) { return s.empty() ? QJsonValue() : QJsonValue(QString::fromStdString(s)); }
inline QJsonValue iso(TimeNs t) { return QString::fromStdString(formatIsoMs(t)); }

inline QJsonValue jsonObjectText(const std::string &text)
{
    if (text.empty())
        return QJsonObject();
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

} // namespace fg::queryjson
