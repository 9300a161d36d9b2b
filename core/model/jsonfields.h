#pragma once

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace fg {

// The first key of `json` that is not in `known`: documents with a field nobody reads are refused
// rather than half-applied.
inline std::optional<QString> unknownField(const QJsonObject &json, const QStringList &known)
{
    for (auto it = json.begin(); it != json.end(); ++it)
        if (!known.contains(it.key()))
            return it.key();
    return std::nullopt;
}

} // namespace fg
