#pragma once

#include <QJsonArray>
#include <QString>

#include <optional>

#include "keyedtablemodel.h"
#include "statepalette.h"

namespace fg {

// A service's routes as /api/health/services/{name} scores them.
struct EndpointRow {
    QString endpoint;
    std::optional<double> score;
    HealthState state = HealthState::Silent;
    std::optional<double> p95Ms;
    std::optional<double> baselineP95Ms;
    double errorRate = 0;

    const QString &key() const { return endpoint; }
    bool operator==(const EndpointRow &) const = default;
};

// The per-endpoint table of the service view, worst first by the view's proxy (Qt::UserRole). GUI thread.
class EndpointsModel final : public KeyedTableModel<EndpointRow> {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EndpointsModel)

public:
    enum Column { Endpoint, Score, State, P95, ErrorRate, ColumnCount };
    static constexpr int ScoreRole = Qt::UserRole + 1;
    using KeyedTableModel::KeyedTableModel;

    // The "endpoints" array of the service's health detail.
    void setEndpoints(const QJsonArray &endpoints);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
};

} // namespace fg
