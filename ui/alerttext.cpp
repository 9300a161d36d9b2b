#include "alerttext.h"

#include <QCoreApplication>

namespace fg {

QString alertLevelText(const QString &level)
{
    if (level == QLatin1String("info"))
        return QCoreApplication::translate("fg::AlertText", "info");
    if (level == QLatin1String("warning"))
        return QCoreApplication::translate("fg::AlertText", "warning");
    if (level == QLatin1String("error"))
        return QCoreApplication::translate("fg::AlertText", "error");
    if (level == QLatin1String("critical"))
        return QCoreApplication::translate("fg::AlertText", "critical");
    return level;
}

QString alertStateText(const QString &state)
{
    if (state == QLatin1String("pending"))
        return QCoreApplication::translate("fg::AlertText", "pending");
    if (state == QLatin1String("firing"))
        return QCoreApplication::translate("fg::AlertText", "firing");
    if (state == QLatin1String("resolved"))
        return QCoreApplication::translate("fg::AlertText", "resolved");
    return state;
}

QString incidentStateText(const QString &state)
{
    if (state == QLatin1String("open"))
        return QCoreApplication::translate("fg::AlertText", "open");
    if (state == QLatin1String("closed"))
        return QCoreApplication::translate("fg::AlertText", "closed");
    return state;
}

} // namespace fg
