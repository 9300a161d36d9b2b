#include "timetext.h"

#include <QCoreApplication>
#include <QLocale>

namespace fg {

QString relativeTime(const QDateTime &when, const QDateTime &now)
{
    if (!when.isValid())
        return QCoreApplication::translate("fg::TimeText", "never");
    const qint64 s = when.secsTo(now);
    if (s < 10)
        return QCoreApplication::translate("fg::TimeText", "just now");
    if (s < 60)
        return QCoreApplication::translate("fg::TimeText", "%n s ago", nullptr, int(s));
    if (s < 3600)
        return QCoreApplication::translate("fg::TimeText", "%n min ago", nullptr, int(s / 60));
    if (s < 86400)
        return QCoreApplication::translate("fg::TimeText", "%n h ago", nullptr, int(s / 3600));
    return QCoreApplication::translate("fg::TimeText", "%n d ago", nullptr, int(s / 86400));
}

QString localTime(const QDateTime &when)
{
    return when.isValid() ? QLocale().toString(when.toLocalTime(), QLocale::ShortFormat) : QString();
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
