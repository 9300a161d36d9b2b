#pragma once

#include <QDateTime>
#include <QString>

namespace fg {

// One way to show times in the window: local time, and how long ago ("12 min ago").
QString relativeTime(const QDateTime &when, const QDateTime &now = QDateTime::currentDateTimeUtc());
QString localTime(const QDateTime &when);
// The API's "YYYY-MM-DDTHH:MM:SS.mmmZ" as UTC; invalid for null or empty.
QDateTime apiTime(const QString &text);
QByteArray apiTimeText(const QDateTime &when);

} // namespace fg
