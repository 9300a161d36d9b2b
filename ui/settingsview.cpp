#include "settingsview.h"

#include <QTabWidget>
#include <QVBoxLayout>

#include "channelsdialog.h"
#include "detectionsettingspage.h"
#include "generalsettingspage.h"
#include "rulesview.h"
#include "tagrulespage.h"
#include "tokenspage.h"

namespace fg {

SettingsView::SettingsView(const ApiClient *api, QWidget *parent)
    : QWidget(parent), m_pages(new QTabWidget), m_general(new GeneralSettingsPage(api)),
      m_detection(new DetectionSettingsPage(api)), m_tags(new TagRulesPage(api)), m_rules(new RulesView(api)),
      m_channels(new ChannelsDialog(api)), m_tokens(new TokensPage(api))
{
    m_pages->setObjectName(QStringLiteral("settingsPages"));
    m_pages->setTabPosition(QTabWidget::West);
    m_pages->addTab(m_general, tr("General"));
    m_pages->addTab(m_detection, tr("Detection"));
    m_pages->addTab(m_tags, tr("Tags"));
    m_pages->addTab(m_rules, tr("Alert rules"));
    m_channels->setEmbedded();
    m_pages->addTab(m_channels, tr("Channels"));
    m_pages->addTab(m_tokens, tr("API tokens"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_pages);
    connect(m_pages, &QTabWidget::currentChanged, this, &SettingsView::refresh);
}

void SettingsView::setSettings(QSettings *settings) { m_general->setSettings(settings); }

void SettingsView::showPage(Page page)
{
    if (m_pages->currentIndex() == page)
        return refresh();
    m_pages->setCurrentIndex(page); // refreshes
}

void SettingsView::refresh()
{
    switch (Page(m_pages->currentIndex())) {
    case General: return m_general->reload();
    case Detection: return m_detection->reload();
    case Tags: return m_tags->reload();
    case Rules: return m_rules->reload();
    case Channels: return m_channels->reload();
    case Tokens: return m_tokens->reload();
    }
}

} // namespace fg
