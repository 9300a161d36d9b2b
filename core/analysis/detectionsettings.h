#pragma once

#include <QJsonObject>
#include <QString>

#include <map>
#include <optional>
#include <string>

namespace fg {

struct ServiceSlo {
    double p95LatencyMs = 0; // 0: none
    double errorRate = 0;    // 0: none
};

// What users tune about detection, over GET/PUT /api/settings/detection and (later) the window.
// Stored as JSON in the settings table; every field optional on input, defaults where absent.
struct DetectionSettings {
    enum class Sensitivity { Low, Normal, High };
    Sensitivity sensitivity = Sensitivity::Normal;
    int forMinutes = 3;
    int clearMinutes = 5;
    int warmupMinutes = 30;
    std::map<std::string, ServiceSlo> slos; // per service

    // Control limits for the sensitivity: (activate, extreme) in sigmas.
    double activeAt() const;
    double extremeAt() const;

    QJsonObject toJson() const;
    // Parses and validates; on error returns nullopt with the offending field and why.
    static std::optional<DetectionSettings> fromJson(const QJsonObject &json, QString *field, QString *message);
    // The stored document, or the defaults when there is none (or it no longer validates).
    static DetectionSettings stored(const std::optional<std::string> &json);
};

} // namespace fg
