// Monaco for the JDM editor's code editors (Function nodes, schemas), from finflow's own bundle.
// @monaco-editor/react's loader would otherwise fetch Monaco from a CDN: finflow's content security
// policy forbids that, and many installations have no internet, so a Function node would open with
// no editor at all. The JDM editor already imports monaco-editor (it is in this page's chunk either
// way); this hands that same copy to the one @monaco-editor/react it shares with us (npm dedupes it).
// Imported by the decisions page only, which is lazily loaded: Monaco stays out of the main bundle.
import { loader } from '@monaco-editor/react';
import * as monaco from 'monaco-editor';
// Vite builds each as its own file served by finflow: allowed by the CSP's 'self', no blob: needed.
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker?worker';
import TsWorker from 'monaco-editor/esm/vs/language/typescript/ts.worker?worker';

// Function nodes are JavaScript (checked by the TypeScript worker), input and output schemas JSON;
// everything else only needs the editor's own worker (diffs, links, word completion).
self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    if (label === 'typescript' || label === 'javascript') return new TsWorker();
    if (label === 'json') return new JsonWorker();
    return new EditorWorker();
  },
};

loader.config({ monaco });
