#include "ingestdialect.h"

#include "apierror.h"

namespace fg {

std::string ingestCountsJson(int accepted, int duplicates, const ItemErrors &errors)
{
    std::string out = "{\"accepted\":" + std::to_string(accepted) + ",\"duplicates\":" + std::to_string(duplicates)
                      + ",\"rejected\":" + std::to_string(errors.total());
    if (errors.truncated())
        out += ",\"errors_truncated\":true";
    out += ",\"errors\":[";
    for (std::size_t i = 0; i < errors.size(); ++i) {
        if (i)
            out += ',';
        out += "{\"index\":" + std::to_string(errors[i].index) + ",\"field\":";
        if (errors[i].field.empty())
            out += "null";
        else
            appendJsonString(out, errors[i].field);
        out += ",\"message\":";
        appendJsonString(out, errors[i].message);
        out += '}';
    }
    out += ']';
    return out;
}

HttpResponse IngestDialect::tooManyItems(int limit) const
{
    return apiError(413, QStringLiteral("more than %1 items in one request (max_items_per_request); split it").arg(limit),
                    QJsonObject{{QStringLiteral("field"), QStringLiteral("body")},
                                {QStringLiteral("limit"), QStringLiteral("max_items_per_request")},
                                {QStringLiteral("max"), limit}});
}

HttpResponse rawJsonResponse(int status, std::string body)
{
    HttpResponse r;
    r.status = status;
    r.body = QByteArray::fromStdString(body);
    return r;
}

} // namespace fg
