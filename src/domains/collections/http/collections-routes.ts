import type { App, RouteModule } from '../../../api/context.js';
import type { DomainContext } from '../../contract.js';
import { registerCaseRoutes } from './case-routes.js';
import { registerCaseworkRoutes } from './casework-routes.js';
import { registerPlacementExport } from './placement-export.js';
import { registerSettingsRoutes } from './settings-routes.js';
import { registerStrategyRoutes } from './strategy-routes.js';

/**
 * /collections/cases (list, detail, contacts, promises, casework), the agency export and
 * /collections/settings — registered in this order, which is the OpenAPI document's order.
 */
export function collectionsRoutes(context: DomainContext): RouteModule {
  return {
    register(app: App) {
      registerCaseRoutes(app, context);
      registerStrategyRoutes(app, context);
      registerCaseworkRoutes(app, context);
      registerPlacementExport(app);
      registerSettingsRoutes(app, context);
    },
  };
}
