// The country a school most likely dials from, by its currency: phone numbers typed without a
// country code ("0712 345 678") are read as that country's. The import screen lets the person
// choose another; a currency shared by many countries (EUR, XOF) gives none, and then a number
// must carry its country code.
import type { CountryCode } from 'libphonenumber-js';

export type { CountryCode };

const byCurrency: Readonly<Record<string, CountryCode>> = {
  KES: 'KE', UGX: 'UG', TZS: 'TZ', RWF: 'RW', BIF: 'BI', ETB: 'ET', SOS: 'SO', SSP: 'SS', SDG: 'SD',
  NGN: 'NG', GHS: 'GH', GMD: 'GM', SLE: 'SL', LRD: 'LR', ZAR: 'ZA', BWP: 'BW', NAD: 'NA', ZMW: 'ZM',
  MWK: 'MW', MZN: 'MZ', ZWG: 'ZW', AOA: 'AO', CDF: 'CD', MGA: 'MG', MUR: 'MU', EGP: 'EG', MAD: 'MA',
  TND: 'TN', DZD: 'DZ', INR: 'IN', PKR: 'PK', BDT: 'BD', LKR: 'LK', NPR: 'NP', PHP: 'PH', IDR: 'ID',
  MYR: 'MY', SGD: 'SG', THB: 'TH', VND: 'VN', CNY: 'CN', JPY: 'JP', KRW: 'KR', AED: 'AE', SAR: 'SA',
  QAR: 'QA', KWD: 'KW', BHD: 'BH', OMR: 'OM', JOD: 'JO', USD: 'US', CAD: 'CA', MXN: 'MX', BRL: 'BR',
  GBP: 'GB', AUD: 'AU', NZD: 'NZ', JMD: 'JM', TTD: 'TT', ISK: 'IS', CHF: 'CH', SEK: 'SE', NOK: 'NO',
  DKK: 'DK', PLN: 'PL', TRY: 'TR',
};

export function countryOfCurrency(currency: string): CountryCode | undefined {
  return Object.hasOwn(byCurrency, currency) ? byCurrency[currency] : undefined;
}
