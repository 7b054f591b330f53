// The API as OpenAPI 3, served at GET /openapi.json: Portico's dashboard shows it in its API tab.
import { MAX_BYTES, MIN_BYTES } from './model.js';

export const MAX_BODY_BYTES = 64 * 1024;

const prediction = {
  type: 'object',
  required: ['language', 'name', 'probability', 'reliable'],
  properties: {
    language: { type: 'string', description: 'BCP-47 code of the language CLD3 found (`und` when the text is too short or has no letters)', example: 'fr' },
    name: { type: 'string', description: "the language's English name", example: 'French' },
    probability: { type: 'number', minimum: 0, maximum: 1, description: "the network's probability for that language", example: 0.9999 },
    reliable: { type: 'boolean', description: "CLD3's own verdict on whether the answer can be trusted", example: true },
  },
};

const error = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string', description: 'what was wrong with the request' } },
};

export const openapi = {
  openapi: '3.0.3',
  info: {
    title: 'Language ID (CLD3)',
    version: '1.0.0',
    description:
      "Names the language a text is written in, with Google's Compact Language Detector v3: a small neural network " +
      `(character n-gram embeddings and one hidden layer, 107 languages) run on the CPU as WebAssembly from the cld3-asm npm package. ` +
      `Texts under ${MIN_BYTES} bytes are undetermined; only the first ${MAX_BYTES} bytes are read.`,
    license: { name: 'Apache-2.0 (CLD3), MIT (cld3-asm and this demo)' },
  },
  paths: {
    '/predict': {
      post: {
        operationId: 'predict',
        summary: 'Identify the language of a text',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1, example: 'Le chat dort sur le canapé depuis ce matin.' } } },
            },
            'application/x-www-form-urlencoded': {
              schema: { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1 } } },
            },
          },
        },
        responses: {
          200: { description: 'the language found', content: { 'application/json': { schema: prediction } } },
          400: { description: 'the body is not JSON or a form, or has no non-empty `text`', content: { 'application/json': { schema: error } } },
          413: { description: `the body is over ${MAX_BODY_BYTES} bytes`, content: { 'application/json': { schema: error } } },
        },
      },
    },
    '/healthz': {
      get: { operationId: 'health', summary: 'Answers once the model is loaded', responses: { 200: { description: 'ok', content: { 'text/plain': { schema: { type: 'string', example: 'ok' } } } } } },
    },
  },
};
