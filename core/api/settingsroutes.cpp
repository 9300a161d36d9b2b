// The settings routes: the configuration, detection and tag settings, and clearing demo data.
#include "apirouter.h"

#include <QJsonDocument>

#include "analysis/analysisworker.h"
#include "analysis/detectionsettings.h"
#include "analysis/tagger.h"
#include "apierror.h"
#include "demoroute.h"
#include "queryrunner.h"
#include "routehelpers.h"
#include "store/storereader.h"
#include "store/storewriter.h"

namespace fg {

void ApiRouter::addSettingsRoutes()
{
    m_routes.add({"GET", "/api/config", TokenScope::Read,
                  [this](HttpRequest &, const RouteParams &, const HttpResponder &out) { out.send(jsonResponse(200, m_configJson)); }});
    m_routes.add({"GET", "/api/settings/detection", TokenScope::Read,
                  [queries = m_deps.queries](HttpRequest &, const RouteParams &, const HttpResponder &out) {
                      queries->run(
                          [](StoreReader &reader) {
                              return jsonResponse(200, DetectionSettings::stored(reader.setting("detection")).toJson());
                          },
                          out);
                  }});
    m_routes.add({"PUT", "/api/settings/detection", TokenScope::Admin,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { putDetectionSettings(request, out); }});
    m_routes.add({"GET", "/api/settings/tags", TokenScope::Read,
                  [tagRules = m_deps.tagRules](HttpRequest &, const RouteParams &, const HttpResponder &out) {
                      out.send(jsonResponse(200, tagRules->current()->toJson()));
                  }});
    m_routes.add({"PUT", "/api/settings/tags", TokenScope::Admin,
                  [this](HttpRequest &request, const RouteParams &, const HttpResponder &out) { putTagSettings(request, out); }});
    m_routes.add({"DELETE", "/api/demo", TokenScope::Admin,
                  [analysis = m_deps.analysis](HttpRequest &, const RouteParams &, const HttpResponder &out) {
                      clearDemoData(analysis, out);
                  }});
}

void ApiRouter::storeSettings(const std::string &key, const QJsonObject &effective, std::function<void()> apply,
                              const HttpResponder &responder)
{
    auto job = std::make_unique<WriteJob>();
    job->settings.emplace_back(key, QJsonDocument(effective).toJson(QJsonDocument::Compact).toStdString());
    // Applied once stored, so what the API acknowledges is what a restart comes back to.
    job->done = [responder, effective, apply = std::move(apply)](const WriteOutcome &outcome) {
        if (!outcome.ok)
            return responder.send(apiError(500, QStringLiteral("settings not stored: %1").arg(QString::fromStdString(outcome.error))));
        apply();
        responder.send(jsonResponse(200, effective));
    };
    m_deps.writer->submit(std::move(job));
}

void ApiRouter::putDetectionSettings(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    QString field, message;
    const auto settings = DetectionSettings::fromJson(*body, &field, &message);
    if (!settings)
        return responder.send(apiError(400, QStringLiteral("%1 %2").arg(field, message),
                                       QJsonObject{{QStringLiteral("field"), field}}));
    storeSettings("detection", settings->toJson(),
                  [analysis = m_deps.analysis, s = *settings] { analysis->setDetectionSettings(s); }, responder);
}

void ApiRouter::putTagSettings(const HttpRequest &request, const HttpResponder &responder)
{
    const auto body = jsonObjectBody(request, responder);
    if (!body)
        return;
    QString field, message, limit;
    auto rules = TagRules::rulesFromJson(*body, &field, &message, &limit);
    if (!rules)
        return responder.send(fieldError(field, message, limit));
    auto tagRules = std::make_shared<const TagRules>(std::move(*rules));
    // Events ingested from then on carry the new tags.
    storeSettings("tags", tagRules->toJson(), [holder = m_deps.tagRules, tagRules] { holder->set(tagRules); },
                  responder);
}

} // namespace fg
