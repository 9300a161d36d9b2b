#pragma once

#include <QDateTime>
#include <QString>

namespace fg {

// One way to show times in the window: local time, and how long ago ("12 min ago").
QString relativeTime(const QDateTime &when, const QDateTime &now = QDateTime::currentDateTimeUtc());
QString localTime(const QDateTime &when);
// A length of time in its two largest units: "45 s", "12 min", "3 h 20 min", "2 d 4 h".
QString durationText(qint64 seconds);
// The API's "YYYY-MM-DDTHH:MM:SS.mmmZ" as UTC; invalid for null or empty.
QDateTime apiTime(const QString &text);
QByteArray apiTimeText(const QDateTime &when);

} // namespace fg
