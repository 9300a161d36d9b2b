#include "routetable.h"

#include <cstring>

namespace fg {

QByteArray RouteParams::raw(const char *name) const
{
    for (const auto &[key, value] : m_values)
        if (key == name)
            return value;
    return {};
}

void RouteTable::add(Route route)
{
    Entry e{std::move(route), {}, m_entries.size()};
    const QByteArray pattern(e.route.pattern);
    for (const QByteArray &part : pattern.mid(1).split('/')) {
        if (!part.startsWith('{') || !part.endsWith('}')) {
            e.segments.push_back({Kind::Literal, part});
            continue;
        }
        const QList<QByteArray> nameType = part.mid(1, part.size() - 2).split(':');
        const QByteArray type = nameType.value(1);
        const Kind kind = type == "id" ? Kind::Id : type == "signed_id" ? Kind::SignedId : type == "index" ? Kind::Index : Kind::Any;
        Q_ASSERT(type.isEmpty() || kind != Kind::Any);
        e.segments.push_back({kind, nameType.value(0)});
    }
    for (const Entry &other : m_entries)
        if (std::strcmp(other.route.pattern, e.route.pattern) == 0) {
            e.group = other.group;
            break;
        }
    m_entries.push_back(std::move(e));
}

bool RouteTable::matches(const Entry &entry, const QList<QByteArray> &segments, RouteParams *params)
{
    if (qsizetype(entry.segments.size()) != segments.size())
        return false;
    params->m_values.clear();
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const Segment &want = entry.segments[std::size_t(i)];
        const QByteArray &got = segments[i];
        bool number = false;
        const bool ok = want.kind == Kind::Literal    ? got == want.text
                        : want.kind == Kind::Id       ? got.toLongLong(&number) > 0 && number
                        : want.kind == Kind::SignedId ? got.toLongLong(&number) != 0 && number
                        : want.kind == Kind::Index    ? !got.startsWith('_')
                                                      : true;
        if (!ok)
            return false;
        if (want.kind != Kind::Literal)
            params->m_values.emplace_back(want.text, got);
    }
    return true;
}

RouteTable::Match RouteTable::match(const QByteArray &rawPath, const QByteArray &method) const
{
    Match m;
    if (!rawPath.startsWith('/')) // not a path (the parser refuses such a target; in-process callers may not)
        return m;
    QByteArray path = rawPath;
    while (path.size() > 1 && path.endsWith('/'))
        path.chop(1);
    const QList<QByteArray> segments = path.mid(1).split('/');
    for (const Entry &candidate : m_entries) {
        if (!matches(candidate, segments, &m.params))
            continue;
        for (std::size_t i = candidate.group; i < m_entries.size(); ++i) {
            const Entry &e = m_entries[i];
            if (e.group != candidate.group)
                continue;
            if (method == e.route.method) {
                m.route = &e.route;
                m.allowed.clear();
                return m;
            }
            m.allowed += (m.allowed.isEmpty() ? "" : ", ") + QByteArray(e.route.method);
        }
        return m;
    }
    m.params = {};
    return m;
}

std::vector<const Route *> RouteTable::routes() const
{
    std::vector<const Route *> all;
    for (const Entry &e : m_entries)
        all.push_back(&e.route);
    return all;
}

} // namespace fg
