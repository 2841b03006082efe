// The console's languages: English, Spanish and Simplified Chinese, with i18next. Each page area
// registers its own namespace of strings (pages/<area>/locales.ts) when its code loads, so a page's
// words live beside the page and the first screen does not download every page's text.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { common } from './common';

export const LANGUAGES = ['en', 'es', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', es: 'Español', 'zh-CN': '简体中文' };

/** Strings of one namespace in every language; English is complete, and the others fall back to it. */
export type Locales<T> = { en: T; es: T; 'zh-CN': T };

export function registerLocales<T extends object>(namespace: string, locales: Locales<T>): void {
  for (const language of LANGUAGES) {
    if (!i18next.hasResourceBundle(language, namespace)) {
      i18next.addResourceBundle(language, namespace, locales[language], true, false);
    }
  }
}

/** The language the browser prefers before anyone signs in; the user's own choice wins after. */
export function browserLanguage(): Language {
  for (const wanted of navigator.languages ?? [navigator.language]) {
    if (wanted.toLowerCase().startsWith('zh')) return 'zh-CN';
    const base = wanted.split('-')[0] as Language;
    if ((LANGUAGES as readonly string[]).includes(base)) return base;
  }
  return 'en';
}

void i18next.use(initReactI18next).init({
  lng: browserLanguage(),
  fallbackLng: 'en',
  defaultNS: 'common',
  ns: ['common'],
  resources: { en: { common: common.en }, es: { common: common.es }, 'zh-CN': { common: common['zh-CN'] } },
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
});

export { i18next };
