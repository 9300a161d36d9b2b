#pragma once

#include <QWidget>

#include "apiclient.h"

class QSettings;
class QTabWidget;

namespace fg {

class ChannelsDialog;
class DetectionSettingsPage;
class GeneralSettingsPage;
class RulesView;
class TagRulesPage;
class TokensPage;

// The Settings view: one page each for the listener and retention, detection and SLOs, tag rules, alert
// rules, notification channels and API tokens. Pages load when first shown (and on F5). GUI thread.
class SettingsView final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsView)

public:
    enum Page { General, Detection, Tags, Rules, Channels, Tokens };

    explicit SettingsView(const ApiClient *api, QWidget *parent = nullptr);

    void setSettings(QSettings *settings);
    void showPage(Page page);
    // Asks the engine again for the page on show.
    void refresh();
    QTabWidget *pages() const { return m_pages; }
    GeneralSettingsPage *general() const { return m_general; }
    DetectionSettingsPage *detection() const { return m_detection; }
    TagRulesPage *tags() const { return m_tags; }
    RulesView *rules() const { return m_rules; }
    ChannelsDialog *channels() const { return m_channels; }
    TokensPage *tokens() const { return m_tokens; }

private:
    QTabWidget *m_pages;
    GeneralSettingsPage *m_general;
    DetectionSettingsPage *m_detection;
    TagRulesPage *m_tags;
    RulesView *m_rules;
    ChannelsDialog *m_channels;
    TokensPage *m_tokens;
};

} // namespace fg
