#include "alertfilter.h"

#include <QByteArrayList>
#include <QUrl>

#include "timetext.h"

namespace fg {

QByteArray AlertFilter::query() const
{
    QByteArrayList items;
    auto add = [&items](const char *name, const QString &value) {
        if (!value.isEmpty())
            items << QByteArray(name) + '=' + QUrl::toPercentEncoding(value);
    };
    add("service", service);
    add("level", level);
    add("state", state);
    add("q", text);
    if (customWindow()) {
        add("from", QString::fromLatin1(apiTimeText(from)));
        add("to", QString::fromLatin1(apiTimeText(to)));
    } else if (rangeSeconds > 0) {
        add("range", QStringLiteral("%1s").arg(rangeSeconds));
    }
    return items.join('&');
}

QDateTime AlertFilter::windowFrom(const QDateTime &now) const
{
    if (customWindow())
        return from;
    return rangeSeconds > 0 ? now.addSecs(-rangeSeconds) : QDateTime();
}

QDateTime AlertFilter::windowTo(const QDateTime &now) const { return customWindow() ? to : now; }

} // namespace fg
