#include "timetext.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

namespace fg {

QString relativeTime(const QDateTime &when, const QDateTime &now)
{
    if (!when.isValid())
        return QCoreApplication::translate("fg::TimeText", "never");
    const qint64 s = when.secsTo(now);
    if (s < 10)
        return QCoreApplication::translate("fg::TimeText", "just now");
    // Divided outside the translate() calls: lupdate 6.4 hangs on a '/' among their arguments.
    const int minutes = int(s / 60), hours = int(s / 3600), days = int(s / 86400);
    if (s < 60)
        return QCoreApplication::translate("fg::TimeText", "%n s ago", nullptr, int(s));
    if (s < 3600)
        return QCoreApplication::translate("fg::TimeText", "%n min ago", nullptr, minutes);
    if (s < 86400)
        return QCoreApplication::translate("fg::TimeText", "%n h ago", nullptr, hours);
    return QCoreApplication::translate("fg::TimeText", "%n d ago", nullptr, days);
}

QString localTime(const QDateTime &when)
{
    return when.isValid() ? QLocale().toString(when.toLocalTime(), QLocale::ShortFormat) : QString();
}

QString durationText(qint64 seconds)
{
    const qint64 s = std::max<qint64>(seconds, 0);
    // Divided outside the translate() calls: lupdate 6.4 hangs on a '/' among their arguments.
    const int minutes = int(s / 60), hours = int(s / 3600), days = int(s / 86400);
    const int minuteOfHour = minutes % 60, hourOfDay = hours % 24;
    if (s < 60)
        return QCoreApplication::translate("fg::TimeText", "%1 s").arg(s);
    if (s < 3600)
        return QCoreApplication::translate("fg::TimeText", "%1 min").arg(minutes);
    if (s < 86400)
        return QCoreApplication::translate("fg::TimeText", "%1 h %2 min").arg(hours).arg(minuteOfHour);
    return QCoreApplication::translate("fg::TimeText", "%1 d %2 h").arg(days).arg(hourOfDay);
}

QDateTime apiTime(const QString &text)
{
    if (text.isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    return t.toUTC();
}

QByteArray apiTimeText(const QDateTime &when)
{
    return when.toUTC().toString(Qt::ISODateWithMs).toLatin1();
}

} // namespace fg
